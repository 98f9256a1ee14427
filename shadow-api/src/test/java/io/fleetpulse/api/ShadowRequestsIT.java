package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import io.fleetpulse.model.ShadowState;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Named shadows, deletes and {@code ?wait=}: requests land in {@code iot.shadow.desired} with the
 * contract's headers; answers are written to {@code iot.shadow.responses} the way the ShadowJob
 * writes them, after the request is seen in Kafka.
 */
class ShadowRequestsIT extends ApiTestBase {

  @Test
  void namedShadowsAreServedAndListed() {
    register("nm-1", null);
    ShadowDocument cfg =
        new ShadowDocument(new ShadowState(null, Map.of("rate", 5), null), null, 3, 1L, null);
    ShadowDocument classic =
        new ShadowDocument(new ShadowState(null, Map.of("temp", 1), null), null, 1, 1L, null);
    produce(FleetTopics.SHADOWS.name(), "nm-1/name/cfg", ModelJson.toBytes(cfg), Map.of());
    produce(FleetTopics.SHADOWS.name(), "nm-1/name/fw", ModelJson.toBytes(cfg), Map.of());
    produce(FleetTopics.SHADOWS.name(), "nm-1", ModelJson.toBytes(classic), Map.of());
    produce(FleetTopics.SHADOWS.name(), "nm-10/name/other", ModelJson.toBytes(cfg), Map.of());
    await(() -> get("/devices/nm-1/shadows/fw").statusCode() == 200, "the named shadows");
    JsonNode named = json(get("/devices/nm-1/shadows/cfg"));
    assertThat(named.get("version").asLong()).isEqualTo(3);
    assertThat(named.at("/state/reported/rate").asInt()).isEqualTo(5);
    assertThat(json(get("/devices/nm-1/shadow")).at("/state/reported/temp").asInt()).isEqualTo(1);
    List<String> names = new java.util.ArrayList<>();
    json(get("/devices/nm-1/shadows")).get("names").forEach(n -> names.add(n.asText()));
    assertThat(names).containsExactly("cfg", "fw");
    var none = get("/devices/nm-1/shadows/nothing");
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(json(none).get("field").asText()).isEqualTo("shadowName");
    var bad = get("/devices/nm-1/shadows/bad%20name");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("code").asText()).isEqualTo("invalid_shadow_name");
    assertThat(get("/devices/nobody-here/shadows").statusCode()).isEqualTo(404);
  }

  @Test
  void updatesAndDeletesCarryTheContractHeaders() {
    register("hd-1", null);
    var update =
        operator(
            "POST",
            "/devices/hd-1/shadows/cfg",
            "{\"state\":{\"desired\":{\"rate\":10}},\"clientToken\":\"hd-up\"}");
    assertThat(update.statusCode()).isEqualTo(202);
    assertThat(json(update).get("shadowName").asText()).isEqualTo("cfg");
    var deleteNamed =
        operator(
            "DELETE", "/devices/hd-1/shadows/cfg", "{\"clientToken\":\"hd-del\",\"version\":4}");
    assertThat(deleteNamed.statusCode()).isEqualTo(202);
    var deleteClassic = operator("DELETE", "/devices/hd-1/shadow", null);
    assertThat(deleteClassic.statusCode()).isEqualTo(202);
    String classicToken = json(deleteClassic).get("clientToken").asText();

    ConsumerRecord<byte[], byte[]> up = awaitRequest("hd-up");
    assertThat(key(up)).isEqualTo("hd-1");
    assertThat(header(up, "shadow.op")).isEqualTo("update");
    assertThat(header(up, "shadow.name")).isEqualTo("cfg");
    ConsumerRecord<byte[], byte[]> del = awaitRequest("hd-del");
    assertThat(header(del, "shadow.op")).isEqualTo("delete");
    assertThat(header(del, "shadow.name")).isEqualTo("cfg");
    assertThat(body(del).get("version").asLong()).isEqualTo(4);
    ConsumerRecord<byte[], byte[]> delClassic = awaitRequest(classicToken);
    assertThat(header(delClassic, "shadow.op")).isEqualTo("delete");
    assertThat(header(delClassic, "shadow.name")).isNull();

    assertThat(call("DELETE", "/devices/hd-1/shadow", READER, null).statusCode()).isEqualTo(403);
    assertThat(operator("DELETE", "/devices/nobody-here/shadow", null).statusCode()).isEqualTo(404);
    var badName = operator("POST", "/devices/hd-1/shadows/a%2Fb", "{\"state\":{\"desired\":{}}}");
    assertThat(badName.statusCode()).isIn(400, 404);
    var badDelete = operator("DELETE", "/devices/hd-1/shadow", "{\"version\":\"x\"}");
    assertThat(json(badDelete).get("field").asText()).isEqualTo("version");
  }

  @Test
  void waitReturnsTheJobsAcceptedAnswer() throws Exception {
    register("wt-1", null);
    CompletableFuture<HttpResponse<String>> pending =
        CompletableFuture.supplyAsync(
            () ->
                operator(
                    "POST",
                    "/devices/wt-1/shadow?wait=20s",
                    "{\"state\":{\"desired\":{\"led\":\"on\"}},\"clientToken\":\"wt-ok\"}"));
    awaitRequest("wt-ok");
    // Neither the documents record with the same token nor an answer to another token is it.
    respond("wt-1", "update/documents", "{\"clientToken\":\"wt-ok\",\"current\":{}}");
    respond("wt-1", "update/accepted", "{\"clientToken\":\"someone-else\",\"version\":99}");
    respond(
        "wt-1",
        "update/accepted",
        "{\"state\":{\"desired\":{\"led\":\"on\"}},\"version\":7,\"timestamp\":1,\"clientToken\":\"wt-ok\"}");
    HttpResponse<String> answer = pending.get(30, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(json(answer).get("version").asLong()).isEqualTo(7);
    assertThat(json(answer).at("/state/desired/led").asText()).isEqualTo("on");
  }

  @Test
  void waitReturns409OnAVersionConflictAndTheRejectionsCode() throws Exception {
    register("wt-2", null);
    CompletableFuture<HttpResponse<String>> conflict =
        CompletableFuture.supplyAsync(
            () ->
                operator(
                    "POST",
                    "/devices/wt-2/shadows/cfg?wait=20s",
                    "{\"state\":{\"desired\":{\"a\":1}},\"version\":3,\"clientToken\":\"wt-409\"}"));
    CompletableFuture<HttpResponse<String>> gone =
        CompletableFuture.supplyAsync(
            () ->
                operator(
                    "DELETE", "/devices/wt-2/shadow?wait=20000ms", "{\"clientToken\":\"wt-404\"}"));
    awaitRequest("wt-409");
    awaitRequest("wt-404");
    // An update answer does not answer a delete that happens to share nothing but the device.
    respond(
        "wt-2",
        "update/rejected",
        "{\"code\":409,\"message\":\"Version conflict\",\"timestamp\":1,\"clientToken\":\"wt-409\"}");
    respond(
        "wt-2",
        "delete/rejected",
        "{\"code\":404,\"message\":\"No shadow exists with name: 'wt-2'\",\"timestamp\":1,\"clientToken\":\"wt-404\"}");
    HttpResponse<String> c = conflict.get(30, TimeUnit.SECONDS);
    assertThat(c.statusCode()).isEqualTo(409);
    assertThat(json(c).get("code").asText()).isEqualTo("version_conflict");
    assertThat(json(c).get("detail").asText()).isEqualTo("Version conflict");
    assertThat(json(c).get("clientToken").asText()).isEqualTo("wt-409");
    HttpResponse<String> g = gone.get(30, TimeUnit.SECONDS);
    assertThat(g.statusCode()).isEqualTo(404);
    assertThat(json(g).get("response").asText()).isEqualTo("delete/rejected");
  }

  @Test
  void withoutAnAnswerInTimeTheRequestIsStill202() {
    register("wt-3", null);
    var late =
        operator(
            "POST",
            "/devices/wt-3/shadow?wait=300ms",
            "{\"state\":{\"desired\":{\"a\":1}},\"clientToken\":\"wt-late\"}");
    assertThat(late.statusCode()).isEqualTo(202);
    assertThat(json(late).get("clientToken").asText()).isEqualTo("wt-late");
    awaitRequest("wt-late");
    for (String wait : List.of("5m", "31s", "-1s", "abc", "9999999")) {
      var bad =
          operator(
              "POST", "/devices/wt-3/shadow?wait=" + wait, "{\"state\":{\"desired\":{\"a\":1}}}");
      assertThat(bad.statusCode()).as(wait).isEqualTo(400);
      assertThat(json(bad).get("field").asText()).isEqualTo("wait");
    }
  }

  private static void respond(String deviceId, String kind, String body) {
    produce(
        SHADOW_RESPONSES,
        deviceId,
        body.getBytes(StandardCharsets.UTF_8),
        Map.of("shadow.response", kind));
  }

  /** Waits until the request with {@code token} is in {@code iot.shadow.desired}. */
  private static ConsumerRecord<byte[], byte[]> awaitRequest(String token) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r :
          kafka.consumeFor(FleetTopics.SHADOW_DESIRED.name(), Duration.ofMillis(300))) {
        if (token.equals(body(r).path("clientToken").asText())) {
          return r;
        }
      }
    }
    throw new AssertionError("no request with clientToken " + token);
  }

  private static JsonNode body(ConsumerRecord<byte[], byte[]> r) {
    try {
      return ModelJson.mapper().readTree(r.value());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
