package io.fleetpulse.api.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.api.ApiTestBase;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.AlertActionType;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GraphQL over real HTTP and a real graphql-ws WebSocket client, against real Kafka. */
@ApiTestBase.ApiSettings({"webhooks.deliver=false", "graphql.max-depth=6"})
@ExtendWith(InfluxDbExtension.class)
class GraphQlIT extends ApiTestBase {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String DB = "graphql_it";
  private static final String GRAPHQL_WS = "graphql-transport-ws";

  @BeforeAll
  static void start(InfluxDbProcess influx) throws Exception {
    influx.createDatabase(DB);
    // telemetry_agg as the TelemetryJob writes it: tags device, metric; time = window start (ms)
    String lines =
        String.join(
            "\n",
            "telemetry_agg,device=gq-1,metric=temp count=2i,min=19.0,max=21.0,avg=20.0,last=21.0 60000",
            "telemetry_agg,device=gq-1,metric=temp count=2i,min=22.0,max=24.0,avg=23.0,last=24.0 120000",
            "telemetry_agg,device=gq-2,metric=temp count=1i,min=10.0,max=10.0,avg=10.0,last=10.0 60000",
            "telemetry_agg,device=gq-1,metric=hum count=1i,min=50.0,max=50.0,avg=50.0,last=50.0 60000");
    writeInflux(influx, DB, lines);
    api.close();
    startClassApi(Map.of("influx.url", influx.url(), "influx.db", DB));
    await(api::streaming, "the live feed");
    for (String id : List.of("gq-1", "gq-2", "gq-3")) {
      register(id, "{\"deviceId\":\"" + id + "\",\"site\":\"gsite\",\"type\":\"meter\"}");
    }
  }

  @Test
  void deviceAndDevicesQueriesServeTheRegistryAndShadow() throws Exception {
    ShadowDocument shadow =
        new ShadowDocument(new ShadowState(null, Map.of("temp", 21), null), null, 4, 100L, null);
    produce(FleetTopics.SHADOWS.name(), "gq-1", ModelJson.toBytes(shadow));
    awaitData(
        "{ device(deviceId: \"gq-1\") { shadow { version } } }",
        d -> d.at("/device/shadow/version").asInt() == 4);
    JsonNode d =
        data(
            READER,
            "{ device(deviceId: \"gq-1\") { deviceId site type status shadow { reported } } }",
            null);
    assertThat(d.at("/device/site").asText()).isEqualTo("gsite");
    assertThat(d.at("/device/status").asText()).isEqualTo("ACTIVE");
    assertThat(d.at("/device/shadow/reported/temp").asInt()).isEqualTo(21);
    assertThat(
            data(READER, "{ device(deviceId: \"none\") { deviceId } }", null)
                .get("device")
                .isNull())
        .isTrue();

    JsonNode page =
        data(
            READER,
            "query($s: String) { devices(site: $s, limit: 2) { items { deviceId } nextCursor } }",
            Map.of("s", "gsite"));
    assertThat(page.at("/devices/items")).hasSize(2);
    String cursor = page.at("/devices/nextCursor").asText();
    JsonNode rest =
        data(
            READER,
            "query($c: String) { devices(site: \"gsite\", after: $c) { items { deviceId } nextCursor } }",
            Map.of("c", cursor));
    assertThat(rest.at("/devices/items/0/deviceId").asText()).isEqualTo("gq-3");
    assertThat(rest.at("/devices/nextCursor").isNull()).isTrue();
  }

  @Test
  void theMetricsQueryServesInfluxDbWindowsAsTheRestRoutesDo() throws Exception {
    JsonNode one =
        data(
            READER,
            "{ metrics(metric: \"temp\", deviceId: \"gq-1\", from: 0, to: 300000) { metric deviceId"
                + " series { deviceId points { time count min max avg last } } } }",
            null);
    assertThat(one.at("/metrics/series")).hasSize(1);
    assertThat(one.at("/metrics/series/0/deviceId").asText()).isEqualTo("gq-1");
    JsonNode points = one.at("/metrics/series/0/points");
    assertThat(points).hasSize(2);
    assertThat(points.get(0).get("time").asLong()).isEqualTo(60_000);
    assertThat(points.get(1).get("last").asDouble()).isEqualTo(24.0);
    JsonNode rest =
        json(get("/devices/gq-1/metrics?metric=temp&from=0&to=300000")).at("/series/0/points");
    assertThat(points.get(1).get("avg").asDouble()).isEqualTo(rest.get(1).get("avg").asDouble());

    JsonNode buckets =
        data(
            READER,
            "{ metrics(metric: \"temp\", from: 0, to: 300000, every: \"5m\") { every series {"
                + " deviceId points { count max } } } }",
            null);
    assertThat(buckets.at("/metrics/every").asText()).isEqualTo("5m");
    assertThat(buckets.at("/metrics/series/0/deviceId").isNull()).isTrue();
    assertThat(buckets.at("/metrics/series/0/points/0/count").asLong()).isEqualTo(5);
    assertThat(buckets.at("/metrics/series/0/points/0/max").asDouble()).isEqualTo(24.0);

    JsonNode byDevice =
        data(
            READER,
            "{ metrics(metric: \"temp\", from: 0, to: 300000, every: \"5m\", groupByDevice: true)"
                + " { series { deviceId points { count } } } }",
            null);
    assertThat(byDevice.at("/metrics/series"))
        .extracting(x -> x.get("deviceId").asText())
        .containsExactlyInAnyOrder("gq-1", "gq-2");

    // refused as the REST route refuses it, naming the argument
    JsonNode bad = graphql(READER, "{ metrics(metric: \"temp\", every: \"5x\") { metric } }", null);
    assertThat(bad.at("/errors/0/extensions/status").asInt()).isEqualTo(400);
    assertThat(bad.at("/errors/0/extensions/field").asText()).isEqualTo("every");
  }

  @Test
  void theAlertsQueryFiltersAndResolvesTheDevice() throws Exception {
    produceAlert("gq-2", "gq-alert-1", AlertSeverity.CRITICAL, AlertState.OPEN);
    produceAlert("gq-2", "gq-alert-2", AlertSeverity.INFO, AlertState.OPEN);
    awaitData("{ alerts(deviceId: \"gq-2\") { alertId } }", d -> d.get("alerts").size() == 2);
    JsonNode d =
        data(
            READER,
            "{ alerts(deviceId: \"gq-2\", severity: CRITICAL) { alertId state device { site } } }",
            null);
    assertThat(d.get("alerts")).hasSize(1);
    assertThat(d.at("/alerts/0/alertId").asText()).isEqualTo("gq-alert-1");
    assertThat(d.at("/alerts/0/device/site").asText()).isEqualTo("gsite");
  }

  @Test
  void updateDeviceNeedsAdminAndWritesTheRegistry() throws Exception {
    String m =
        "mutation($p: JSON!) { updateDevice(deviceId: \"gq-3\", patch: $p) { deviceId firmware } }";
    JsonNode ok = graphql(ADMIN, m, Map.of("p", Map.of("firmware", "2.0.1")));
    assertThat(ok.at("/data/updateDevice/firmware").asText()).isEqualTo("2.0.1");
    assertThat(
            data(READER, "{ device(deviceId: \"gq-3\") { firmware } }", null)
                .at("/device/firmware")
                .asText())
        .isEqualTo("2.0.1");
    JsonNode refused = graphql(OPERATOR, m, Map.of("p", Map.of("firmware", "x")));
    assertThat(refused.at("/errors/0/extensions/status").asInt()).isEqualTo(403);
    JsonNode bad = graphql(ADMIN, m, Map.of("p", Map.of("heartbeatSeconds", "often")));
    assertThat(bad.at("/errors/0/extensions/field").asText()).isEqualTo("heartbeatSeconds");
  }

  @Test
  void controlDeviceSendsACommand() throws Exception {
    JsonNode d =
        data(
            OPERATOR,
            "mutation { controlDevice(deviceId: \"gq-1\", name: \"reboot\", params: {delay: 5}) { commandId name params } }",
            null);
    String commandId = d.at("/controlDevice/commandId").asText();
    assertThat(d.at("/controlDevice/params/delay").asInt()).isEqualTo(5);
    ConsumerRecord<byte[], byte[]> r = find(FleetTopics.COMMANDS.name(), "gq-1", commandId);
    assertThat(ModelJson.mapper().readTree(r.value()).get("name").asText()).isEqualTo("reboot");
    assertThat(
            graphql(
                    READER,
                    "mutation { controlDevice(deviceId: \"gq-1\", name: \"x\") { commandId } }",
                    null)
                .at("/errors/0/extensions/status")
                .asInt())
        .isEqualTo(403);
  }

  @Test
  void updateShadowWritesDesiredState() throws Exception {
    JsonNode d =
        data(
            OPERATOR,
            "mutation { updateShadow(deviceId: \"gq-2\", desired: {led: \"on\"}, clientToken: \"gq-token\") { clientToken deviceId } }",
            null);
    assertThat(d.at("/updateShadow/clientToken").asText()).isEqualTo("gq-token");
    ConsumerRecord<byte[], byte[]> r = find(FleetTopics.SHADOW_DESIRED.name(), "gq-2", "gq-token");
    ShadowDocument request = ModelJson.fromBytes(r.value(), ShadowDocument.class);
    assertThat(request.getState().getDesired()).containsEntry("led", "on");
  }

  @Test
  void ackAlertWritesAnAlertAction() throws Exception {
    produceAlert("gq-1", "gq-ack-1", AlertSeverity.WARNING, AlertState.OPEN);
    awaitData("{ alerts(deviceId: \"gq-1\") { alertId } }", x -> x.get("alerts").size() >= 1);
    JsonNode d =
        data(
            OPERATOR,
            "mutation { ackAlert(alertId: \"gq-ack-1\") { alertId deviceId action } }",
            null);
    assertThat(d.at("/ackAlert/action").asText()).isEqualTo("ACK");
    ConsumerRecord<byte[], byte[]> r = find(FleetTopics.ALERT_ACTIONS.name(), "gq-1", "gq-ack-1");
    AlertAction action = AlertAction.parse(r.value());
    assertThat(action.getAction()).isEqualTo(AlertActionType.ACK);
    assertThat(action.getDeviceId()).isEqualTo("gq-1");
    assertThat(
            graphql(READER, "mutation { ackAlert(alertId: \"gq-ack-1\") { alertId } }", null)
                .at("/errors/0/extensions/status")
                .asInt())
        .isEqualTo(403);
    assertThat(
            graphql(OPERATOR, "mutation { ackAlert(alertId: \"nope\") { alertId } }", null)
                .at("/errors/0/extensions/status")
                .asInt())
        .isEqualTo(404);
  }

  @Test
  void anOverDeepQueryIsRefused() throws Exception {
    JsonNode r =
        graphql(
            READER,
            "{ device(deviceId: \"gq-1\") { alerts { device { alerts { device { alerts { device { deviceId } } } } } } } }",
            null);
    assertThat(r.get("errors")).isNotEmpty();
    assertThat(r.at("/errors/0/message").asText()).containsIgnoringCase("depth");
    assertThat(r.get("data") == null || r.get("data").isNull()).isTrue();
  }

  @Test
  void theSchemaIsServedAndAuthIsTheRestOne() throws Exception {
    var schema =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/graphql/schema"))
                .header("Authorization", "Bearer " + READER)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(schema.statusCode()).isEqualTo(200);
    assertThat(schema.body()).contains("type Query").contains("onAlertTriggered");
    var anonymous =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ alerts { alertId } }\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(call("POST", "/graphql", ADMIN, "{\"variables\":{}}").statusCode()).isEqualTo(400);
  }

  @Test
  void aSubscriptionOverGraphqlWsReceivesAnAlert() throws Exception {
    GqlWs ws = new GqlWs(GRAPHQL_WS);
    ws.send(Map.of("type", "connection_init", "payload", Map.of("apiKey", READER)));
    assertThat(ws.next().get("type").asText()).isEqualTo("connection_ack");
    ws.send(
        Map.of(
            "type", "subscribe",
            "id", "s1",
            "payload",
                Map.of(
                    "query",
                    "subscription { onAlertTriggered(deviceId: \"gq-sub\") { alertId severity device { deviceId } } }")));
    // the subscription is registered once the server has processed the message; a ping after it
    // is answered only then (messages of one socket are handled in order)
    ws.send(Map.of("type", "ping"));
    assertThat(ws.next().get("type").asText()).isEqualTo("pong");
    produceAlert("gq-other", "gq-sub-0", AlertSeverity.INFO, AlertState.OPEN);
    produceAlert("gq-sub", "gq-sub-1", AlertSeverity.CRITICAL, AlertState.OPEN);
    JsonNode next = ws.next();
    assertThat(next.get("type").asText()).isEqualTo("next");
    assertThat(next.get("id").asText()).isEqualTo("s1");
    assertThat(next.at("/payload/data/onAlertTriggered/alertId").asText()).isEqualTo("gq-sub-1");
    ws.send(Map.of("type", "complete", "id", "s1"));
    ws.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);

    GqlWs anonymous = new GqlWs(GRAPHQL_WS);
    anonymous.send(Map.of("type", "connection_init", "payload", Map.of("apiKey", "wrong")));
    assertThat(anonymous.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4403);
  }

  @Test
  void aSocketWithoutTheGraphqlTransportWsSubprotocolIsClosedWith4406() throws Exception {
    assertThat(new GqlWs().closed.get(10, TimeUnit.SECONDS)).isEqualTo(4406);
    // subscriptions-transport-ws, the legacy protocol with other messages
    assertThat(new GqlWs("graphql-ws").closed.get(10, TimeUnit.SECONDS)).isEqualTo(4406);
    GqlWs both = new GqlWs("graphql-ws", GRAPHQL_WS);
    assertThat(both.socket.getSubprotocol()).isEqualTo(GRAPHQL_WS);
    both.send(Map.of("type", "connection_init", "payload", Map.of("apiKey", READER)));
    assertThat(both.next().get("type").asText()).isEqualTo("connection_ack");
    both.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------------------------------------

  private static final class GqlWs implements WebSocket.Listener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final StringBuilder partial = new StringBuilder();
    final WebSocket socket;

    /** A client offering {@code subprotocols} (none: nothing offered). */
    GqlWs(String... subprotocols) throws Exception {
      WebSocket.Builder b = HTTP.newWebSocketBuilder();
      if (subprotocols.length > 0) {
        b.subprotocols(
            subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
      }
      socket =
          b.buildAsync(URI.create("ws" + base.substring(4) + "/graphql"), this)
              .get(10, TimeUnit.SECONDS);
    }

    void send(Object message) throws Exception {
      socket
          .sendText(new String(ModelJson.toBytes(message), StandardCharsets.UTF_8), true)
          .get(10, TimeUnit.SECONDS);
    }

    JsonNode next() throws InterruptedException {
      JsonNode m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("a graphql-ws message").isNotNull();
      return m;
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
  }

  interface Check {
    boolean ok(JsonNode data) throws Exception;
  }

  private static void awaitData(String query, Check check) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      JsonNode d = graphql(READER, query, null).get("data");
      if (d != null && !d.isNull() && check.ok(d)) {
        return;
      }
      assertThat(System.nanoTime()).as("waiting for " + query).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static JsonNode data(String key, String query, Map<String, Object> vars)
      throws Exception {
    JsonNode r = graphql(key, query, vars);
    assertThat(r.has("errors")).as(r.toString()).isFalse();
    return r.get("data");
  }

  private static JsonNode graphql(String key, String query, Map<String, Object> vars)
      throws Exception {
    Map<String, Object> body = new HashMap<>();
    body.put("query", query);
    if (vars != null) {
      body.put("variables", vars);
    }
    var r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .timeout(WAIT)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ModelJson.toBytes(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ModelJson.mapper().readTree(r.body());
  }

  private static ConsumerRecord<byte[], byte[]> find(String topic, String key, String contains) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : kafka.consumeFor(topic, Duration.ofSeconds(1))) {
        if (new String(r.key(), StandardCharsets.UTF_8).equals(key)
            && new String(r.value(), StandardCharsets.UTF_8).contains(contains)) {
          return r;
        }
      }
    }
    throw new AssertionError("no record with " + contains + " in " + topic);
  }

  private static void produceAlert(
      String deviceId, String alertId, AlertSeverity severity, AlertState state) {
    produceAlert(deviceId, alertId, severity, state, 1);
  }
}
