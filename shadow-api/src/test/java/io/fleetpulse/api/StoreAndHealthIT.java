package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.FleetTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The views' on-disk store as the service uses it, and the views' lag in {@code /health}. */
class StoreAndHealthIT extends ApiTestBase {

  private static List<Path> storeFiles(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".mv.db")).toList();
    }
  }

  @Test
  void healthShowsEveryViewsLagAndNoneIsStuck() {
    produce(
        FleetTopics.SHADOWS.name(),
        "sh-lag-1",
        "{\"state\":{\"reported\":{\"t\":1}},\"version\":1}".getBytes(StandardCharsets.UTF_8),
        Map.of());
    await(() -> get("/devices/sh-lag-1/shadow").statusCode() != 404, "the shadow");
    await(
        () ->
            json(call("GET", "/health", null, null))
                    .path("views")
                    .path("shadows")
                    .path("lag")
                    .asLong(-1)
                == 0,
        "lag 0");
    JsonNode health = json(call("GET", "/health", null, null));
    assertThat(health.path("status").asText()).isEqualTo("UP");
    assertThat(health.path("views").size()).isGreaterThanOrEqualTo(4);
    health
        .path("views")
        .forEach(
            v -> {
              assertThat(v.path("lag").asLong()).as(v.toString()).isGreaterThanOrEqualTo(0);
              assertThat(v.path("stuck").asBoolean()).as(v.toString()).isFalse();
            });
    assertThat(call("GET", "/metrics", null, null).body())
        .contains("fleetpulse_api_view_lag{view=\"shadows\"}");
  }

  @Test
  void anInstanceKeepsItsViewsInItsOwnFileInTheStoreFolderAndRemovesItAtStop() throws Exception {
    Path dir = Path.of(System.getProperty("fleetpulse.build.dir", "target"), "store-it");
    Files.createDirectories(dir);
    for (Path f : storeFiles(dir)) {
      Files.delete(f);
    }
    register("st-1", null);
    produce(
        FleetTopics.SHADOWS.name(),
        "st-1",
        "{\"state\":{\"reported\":{\"t\":7}},\"version\":3}".getBytes(StandardCharsets.UTF_8),
        Map.of());
    try (ShadowApi second = new ShadowApi(config(Map.of("store.dir", dir.toString()))).start();
        ShadowApi third = new ShadowApi(config(Map.of("store.dir", dir.toString()))).start()) {
      assertThat(storeFiles(dir)).hasSize(2);
      for (ShadowApi one : List.of(second, third)) {
        await(one::ready, "the instance's views");
        String at = "http://127.0.0.1:" + one.port();
        String saved = base;
        base = at;
        try {
          await(() -> get("/devices/st-1/shadow").statusCode() == 200, "the shadow");
          assertThat(json(get("/devices/st-1/shadow")).path("version").asLong()).isEqualTo(3);
          assertThat(json(get("/devices/st-1")).path("deviceId").asText()).isEqualTo("st-1");
        } finally {
          base = saved;
        }
      }
    }
    assertThat(storeFiles(dir)).isEmpty();
  }
}
