package io.fleetpulse.api.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.api.ApiTestBase;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import io.fleetpulse.model.ShadowState;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SSE and WebSocket streams over real HTTP from a real Kafka broker, with real clients. */
@ApiTestBase.ApiSettings("webhooks.deliver=false")
class LiveStreamsIT extends ApiTestBase {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @BeforeAll
  static void start() {
    await(api::streaming, "the live feed");
  }

  @Test
  void anAlertReachesAnSseClientWithinOneSecond() throws Exception {
    try (SseReader sse = new SseReader(base + "/stream/alerts?deviceId=fast-1", READER, null)) {
      assertThat(sse.status).isEqualTo(200);
      sse.next("position", WAIT); // subscribed
      long sent = System.nanoTime();
      produceAlert("fast-1", "fast-a1", AlertState.OPEN);
      SseReader.Event e = sse.next("alert", WAIT);
      long ms = (e.atNanos() - sent) / 1_000_000;
      assertThat(ms).isLessThan(1_000);
      assertThat(ModelJson.mapper().readTree(e.data()).get("alertId").asText())
          .isEqualTo("fast-a1");
      assertThat(e.id()).isNotBlank();
    }
  }

  @Test
  void aReconnectWithLastEventIdMissesNothing() throws Exception {
    String last;
    try (SseReader sse = new SseReader(base + "/stream/alerts?deviceId=resume-1", READER, null)) {
      sse.next("position", WAIT);
      produceAlert("resume-1", "resume-a1", AlertState.OPEN);
      last = sse.next("alert", WAIT).id();
    }
    // written while no client is connected, to both partitions' worth of devices
    produceAlert("resume-1", "resume-a2", AlertState.OPEN);
    produceAlert("other-dev", "resume-other", AlertState.OPEN);
    produceAlert("resume-1", "resume-a3", AlertState.RESOLVED);
    try (SseReader sse = new SseReader(base + "/stream/alerts?deviceId=resume-1", READER, last)) {
      List<String> got = new ArrayList<>();
      got.add(alertId(sse.next("alert", WAIT)));
      got.add(alertId(sse.next("alert", WAIT)));
      produceAlert("resume-1", "resume-a4", AlertState.OPEN);
      got.add(alertId(sse.next("alert", WAIT)));
      // nothing twice (a1 was seen before the reconnect), nothing lost, in order
      assertThat(got).containsExactly("resume-a2", "resume-a3", "resume-a4");
    }
  }

  @Test
  void theAlertStreamFiltersAsGetAlertsDoes() throws Exception {
    assertThat(get("/stream/alerts?severity=LOUD").statusCode()).isEqualTo(400);
    assertThat(get("/stream/devices/bad%20id").statusCode()).isEqualTo(400);
    var unauthorized =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/stream/alerts")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    try (SseReader sse =
        new SseReader(base + "/stream/alerts?deviceId=filt-1&state=RESOLVED", READER, null)) {
      sse.next("position", WAIT);
      produceAlert("filt-1", "filt-open", AlertState.OPEN);
      produceAlert("filt-1", "filt-resolved", AlertState.RESOLVED);
      assertThat(alertId(sse.next("alert", WAIT))).isEqualTo("filt-resolved");
    }
  }

  @Test
  void aDeviceStreamShowsItsShadowRegistryAndAlerts() throws Exception {
    try (SseReader sse = new SseReader(base + "/stream/devices/dev-s1", READER, null)) {
      sse.next("position", WAIT);
      ShadowDocument shadow =
          new ShadowDocument(new ShadowState(null, Map.of("temp", 20), null), null, 1, 1L, null);
      produce(FleetTopics.SHADOWS.name(), "dev-other", ModelJson.toBytes(shadow));
      produce(FleetTopics.SHADOWS.name(), "dev-s1", ModelJson.toBytes(shadow));
      produce(
          FleetTopics.DEVICES.name(),
          "dev-s1",
          "{\"deviceId\":\"dev-s1\"}".getBytes(StandardCharsets.UTF_8));
      produceAlert("dev-s1", "dev-s1-a", AlertState.OPEN);
      produce(FleetTopics.DEVICES.name(), "dev-s1", null);
      List<String> names = new ArrayList<>();
      List<String> data = new ArrayList<>();
      while (names.size() < 4) {
        SseReader.Event e = sse.poll(WAIT);
        assertThat(e).as("events so far: " + names).isNotNull();
        if (!e.name().equals("position")) {
          names.add(e.name());
          data.add(e.data());
        }
      }
      assertThat(names).containsExactlyInAnyOrder("shadow", "device", "alert", "device");
      assertThat(data.get(0)).contains("\"temp\":20");
      assertThat(data).anyMatch(d -> d.contains("\"deleted\":true"));
    }
  }

  @Test
  void aWebSocketClientGetsTheSameStreamAndResumes() throws Exception {
    Ws ws = new Ws("/ws/alerts?deviceId=ws-1", READER);
    JsonNode first = ws.next("position");
    assertThat(first.get("id").asText()).isNotBlank();
    long sent = System.nanoTime();
    produceAlert("ws-1", "ws-a1", AlertState.OPEN);
    JsonNode alert = ws.next("alert");
    assertThat((System.nanoTime() - sent) / 1_000_000).isLessThan(1_000);
    assertThat(alert.at("/data/alertId").asText()).isEqualTo("ws-a1");
    String last = alert.get("id").asText();
    ws.close();
    produceAlert("ws-1", "ws-a2", AlertState.OPEN);
    Ws again = new Ws("/ws/alerts?deviceId=ws-1&lastEventId=" + last, READER);
    assertThat(again.next("alert").at("/data/alertId").asText()).isEqualTo("ws-a2");
    again.close();

    Ws anonymous = new Ws("/ws/alerts", null);
    assertThat(anonymous.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
  }

  // ---------------------------------------------------------------------------------------------

  /** A java.net.http WebSocket client collecting text messages. */
  private static final class Ws implements WebSocket.Listener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final StringBuilder partial = new StringBuilder();
    final WebSocket socket;

    Ws(String path, String key) throws Exception {
      WebSocket.Builder b = HTTP.newWebSocketBuilder();
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      socket =
          b.buildAsync(URI.create("ws" + base.substring(4) + path), this).get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(ModelJson.mapper().readTree(partial.toString()));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }

    JsonNode next(String event) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        JsonNode m = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (m == null) {
          throw new AssertionError("no '" + event + "' message");
        }
        if (m.get("event").asText().equals(event)) {
          return m;
        }
      }
    }

    void close() throws Exception {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
      closed.get(10, TimeUnit.SECONDS);
    }
  }

  private static String alertId(SseReader.Event e) throws Exception {
    return ModelJson.mapper().readTree(e.data()).get("alertId").asText();
  }

  private static void produceAlert(String deviceId, String alertId, AlertState state) {
    produceAlert(deviceId, alertId, AlertSeverity.WARNING, state, 1);
  }
}
