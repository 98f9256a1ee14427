package io.fleetpulse.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.model.Device;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The on-disk store of the device and shadow views: files per instance, paging, versions. */
class ViewStoreTest {

  private static Path dir(String name) throws Exception {
    Path dir = Path.of(System.getProperty("fleetpulse.build.dir", "target"), "view-store-" + name);
    if (Files.exists(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void instancesShareTheFolderAndAStaleFileIsRemovedAtOpen() throws Exception {
    Path dir = dir("files");
    Path stale = Files.writeString(dir.resolve("views-left-by-a-crash.mv.db"), "x");
    try (ViewStore one = ViewStore.open(dir, 4)) {
      assertThat(stale).doesNotExist();
      try (ViewStore two = ViewStore.open(dir, 4)) {
        assertThat(one.file()).isNotEqualTo(two.file());
        new DeviceStore(one).apply("d-1", bytes("{\"deviceId\":\"d-1\"}"));
        assertThat(new DeviceStore(two).get("d-1")).isNull();
        assertThat(new DeviceStore(one).get("d-1")).isNotNull();
      }
      // The open one is in use: the second open left it alone.
      assertThat(one.file()).exists();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void devicesPageByCursorWithFiltersAndTombstonesRemove() throws Exception {
    try (ViewStore store = ViewStore.open(dir("devices"), 4)) {
      DeviceStore devices = new DeviceStore(store);
      for (int i = 0; i < 10; i++) {
        String site = i % 2 == 0 ? "even" : "odd";
        devices.apply("d-" + i, bytes("{\"site\":\"" + site + "\"}"));
      }
      devices.apply("d-4", null);
      assertThat(devices.size()).isEqualTo(9);
      DeviceStore.Page<Device> first = devices.page(null, 2, d -> "even".equals(d.getSite()));
      assertThat(first.items()).extracting(Device::getDeviceId).containsExactly("d-0", "d-2");
      assertThat(first.more()).isTrue();
      DeviceStore.Page<Device> next = devices.page("d-2", 2, d -> "even".equals(d.getSite()));
      assertThat(next.items()).extracting(Device::getDeviceId).containsExactly("d-6", "d-8");
      assertThat(next.more()).isFalse();
      assertThat(devices.page("d-9", 5, d -> true).items()).isEmpty();
      assertThat(devices.page("d-85", 5, d -> true).items())
          .extracting(Device::getDeviceId)
          .containsExactly("d-9");
      List<String> all =
          StreamSupport.stream(devices.all().spliterator(), false)
              .map(Device::getDeviceId)
              .toList();
      assertThat(all).hasSize(9).doesNotContain("d-4").isSorted();
    }
  }

  @Test
  void aShadowKeepsItsHighestVersionAndNamedShadowsAreOneRange() throws Exception {
    try (ViewStore store = ViewStore.open(dir("shadows"), 4)) {
      ShadowStore shadows = new ShadowStore(store);
      shadows.apply("s-1", bytes("{\"state\":{\"reported\":{\"t\":2}},\"version\":2}"));
      shadows.apply("s-1", bytes("{\"state\":{\"reported\":{\"t\":1}},\"version\":1}"));
      shadows.apply("s-1/name/b", bytes("{\"version\":1}"));
      shadows.apply("s-1/name/a", bytes("{\"version\":1}"));
      shadows.apply("s-10", bytes("{\"version\":1}"));
      shadows.apply("s-1/namex", bytes("{\"version\":1}"));
      assertThat(shadows.get("s-1").getVersion()).isEqualTo(2);
      assertThat(new String(shadows.json("s-1"), StandardCharsets.UTF_8))
          .contains("\"t\":2")
          .contains("\"version\":2");
      assertThat(shadows.names("s-1")).containsExactly("a", "b");
      assertThat(shadows.get("s-1", "a")).isNotNull();
      shadows.apply("s-1", new byte[0]);
      assertThat(shadows.get("s-1")).isNull();
      assertThat(shadows.json("nope")).isNull();
    }
  }
}
