package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import io.fleetpulse.model.ShadowState;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The API over real HTTP against a real Kafka broker, through the service's own start-up. */
@ExtendWith(KafkaExtension.class)
class ShadowApiIT {

  private static final String ADMIN = "admin-key-1";
  private static final String READER = "reader-key-1";
  private static final List<String> TOPICS =
      List.of(
          FleetTopics.DEVICES.name(),
          FleetTopics.SHADOWS.name(),
          FleetTopics.SHADOW_DESIRED.name(),
          FleetTopics.ALERTS.name(),
          FleetTopics.COMMANDS.name(),
          FleetTopics.EVENTS_RAW.name(),
          ApiTestBase.SHADOW_RESPONSES,
          FleetTopics.ALERT_ACTIONS.name(),
          FleetTopics.TELEMETRY_AGG.name(),
          FleetTopics.WEBHOOKS.name(),
          FleetTopics.WEBHOOKS_DLQ.name());

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static KafkaTestClient kafka;
  private static ShadowApi api;
  private static String base;

  @BeforeAll
  static void start(KafkaTestClient client) {
    kafka = client;
    kafka.createTopics(
        2,
        TOPICS,
        List.of(
            FleetTopics.DEVICES.name(), FleetTopics.SHADOWS.name(), FleetTopics.WEBHOOKS.name()));
    api = new ShadowApi(config(kafka.bootstrapServers())).start();
    base = "http://127.0.0.1:" + api.port();
    await(() -> get("/health", null).statusCode() == 200, "the views to catch up");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  static ShadowApiConfig config(String bootstrap) {
    return ShadowApiConfig.from(
        Settings.of(
            Map.of(
                "kafka.bootstrap.servers",
                bootstrap,
                "http.host",
                "127.0.0.1",
                "http.port",
                "0",
                "auth.api-keys",
                ADMIN + "=admin," + READER + "=reader"),
            ShadowApiConfig.OPTIONS));
  }

  @Test
  void aDeviceRoundTripsThroughKafka() throws Exception {
    var created =
        send("POST", "/devices", "{\"deviceId\":\"rt-1\",\"type\":\"sensor\",\"site\":\"p1\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    // read your writes: the GET right after the POST sees it
    var got = get("/devices/rt-1", ADMIN);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(json(got).get("status").asText()).isEqualTo("ACTIVE");
    List<ConsumerRecord<byte[], byte[]>> registry =
        kafka.consumeFor(FleetTopics.DEVICES.name(), Duration.ofSeconds(2));
    assertThat(registry).anyMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals("rt-1"));

    var patched = send("PATCH", "/devices/rt-1", "{\"site\":\"p2\",\"type\":null}");
    assertThat(patched.statusCode()).isEqualTo(200);
    JsonNode after = json(get("/devices/rt-1", READER));
    assertThat(after.get("site").asText()).isEqualTo("p2");
    assertThat(after.has("type")).isFalse();

    assertThat(send("DELETE", "/devices/rt-1", null).statusCode()).isEqualTo(204);
    assertThat(get("/devices/rt-1", READER).statusCode()).isEqualTo(404);
  }

  @Test
  void listingFiltersAndPaginatesByCursor() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(
              send(
                      "POST",
                      "/devices",
                      "{\"deviceId\":\"pg-"
                          + i
                          + "\",\"type\":\"pager\",\"site\":\"s"
                          + (i % 2)
                          + "\"}")
                  .statusCode())
          .isEqualTo(201);
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          json(
              get(
                  "/devices?type=pager&limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                  READER));
      page.get("items").forEach(d -> seen.add(d.get("deviceId").asText()));
      cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
      pages++;
    } while (cursor != null);
    assertThat(seen).containsExactly("pg-0", "pg-1", "pg-2", "pg-3", "pg-4");
    assertThat(pages).isEqualTo(3);
    JsonNode site1 = json(get("/devices?type=pager&site=s1", READER));
    assertThat(site1.get("items")).hasSize(2);
  }

  @Test
  void registeringTwiceIs409AndBadInputIs400NamingTheField() throws Exception {
    assertThat(send("POST", "/devices", "{\"deviceId\":\"dup-1\"}").statusCode()).isEqualTo(201);
    var again = send("POST", "/devices", "{\"deviceId\":\"dup-1\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(json(again).get("code").asText()).isEqualTo("device_exists");

    var badId = send("POST", "/devices", "{\"deviceId\":\"bad id!\"}");
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(json(badId).get("field").asText()).isEqualTo("deviceId");
    assertThat(badId.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).contains("problem+json"));

    var badStatus = send("POST", "/devices", "{\"deviceId\":\"x-1\",\"status\":\"BROKEN\"}");
    assertThat(badStatus.statusCode()).isEqualTo(400);
    assertThat(json(badStatus).get("field").asText()).isEqualTo("status");

    var badType = send("POST", "/devices", "{\"deviceId\":\"x-1\",\"heartbeatSeconds\":\"often\"}");
    assertThat(badType.statusCode()).isEqualTo(400);
    assertThat(json(badType).get("field").asText()).isEqualTo("heartbeatSeconds");

    assertThat(send("POST", "/devices", "{not json").statusCode()).isEqualTo(400);
    assertThat(send("POST", "/devices", "[1,2]").statusCode()).isEqualTo(400);
    assertThat(
            HTTP.send(
                    request("/devices", ADMIN)
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(415);
    assertThat(json(get("/devices?limit=0", READER)).get("field").asText()).isEqualTo("limit");
    assertThat(get("/devices?status=nope", READER).statusCode()).isEqualTo(400);
    assertThat(get("/devices?cursor=not-a-cursor!", READER).statusCode()).isEqualTo(400);
  }

  @Test
  void unknownDevicesAre404() throws Exception {
    assertThat(get("/devices/nobody", READER).statusCode()).isEqualTo(404);
    assertThat(send("PATCH", "/devices/nobody", "{}").statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/devices/nobody", null).statusCode()).isEqualTo(404);
    var desired = send("POST", "/devices/nobody/shadow", "{\"state\":{\"desired\":{\"a\":1}}}");
    assertThat(desired.statusCode()).isEqualTo(404);
    assertThat(json(desired).get("code").asText()).isEqualTo("unknown_device");
    assertThat(send("POST", "/devices/nobody/commands", "{\"name\":\"reboot\"}").statusCode())
        .isEqualTo(404);
  }

  @Test
  void withoutAValidKeyIs401AndWithoutTheRoleIs403() throws Exception {
    assertThat(get("/devices", null).statusCode()).isEqualTo(401);
    assertThat(get("/devices", "wrong").statusCode()).isEqualTo(401);
    var viaHeader =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/devices"))
                .header("X-Api-Key", READER)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(viaHeader.statusCode()).isEqualTo(200);
    var readerWrites =
        HTTP.send(
            request("/devices", READER)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"r-1\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(readerWrites.statusCode()).isEqualTo(403);
    assertThat(get("/health", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aShadowWrittenToTheTopicIsServed() throws Exception {
    ShadowDocument v1 =
        new ShadowDocument(
            new ShadowState(null, Map.of("temp", 20), null), null, 1, 1_764_331_200L, null);
    ShadowDocument v2 =
        new ShadowDocument(
            new ShadowState(null, Map.of("temp", 21), null), null, 2, 1_764_331_260L, null);
    // v2 first, then a replayed v1: the view keeps the highest version
    produce(FleetTopics.SHADOWS.name(), "sh-1", ModelJson.toBytes(v2));
    produce(FleetTopics.SHADOWS.name(), "sh-1", ModelJson.toBytes(v1));
    await(() -> get("/devices/sh-1/shadow", READER).statusCode() == 200, "the shadow");
    produce(FleetTopics.SHADOWS.name(), "sh-mark", ModelJson.toBytes(v1));
    await(() -> get("/devices/sh-mark/shadow", READER).statusCode() == 200, "the marker");
    JsonNode shadow = json(get("/devices/sh-1/shadow", READER));
    assertThat(shadow.get("version").asLong()).isEqualTo(2);
    assertThat(shadow.at("/state/reported/temp").asInt()).isEqualTo(21);
    assertThat(get("/devices/nothing-here/shadow", READER).statusCode()).isEqualTo(404);
  }

  @Test
  void aDesiredUpdateLandsInTheDesiredTopicWithItsClientToken() throws Exception {
    assertThat(send("POST", "/devices", "{\"deviceId\":\"ds-1\"}").statusCode()).isEqualTo(201);
    var accepted =
        send(
            "POST",
            "/devices/ds-1/shadow",
            "{\"state\":{\"desired\":{\"led\":\"on\",\"old\":null}},\"version\":3,\"clientToken\":\"t-1\"}");
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(json(accepted).get("clientToken").asText()).isEqualTo("t-1");
    ConsumerRecord<byte[], byte[]> record =
        kafka.consume(FleetTopics.SHADOW_DESIRED.name(), 1, Duration.ofSeconds(10)).stream()
            .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("ds-1"))
            .findFirst()
            .orElseThrow();
    ShadowDocument request = ModelJson.fromBytes(record.value(), ShadowDocument.class);
    assertThat(request.getClientToken()).isEqualTo("t-1");
    assertThat(request.getVersion()).isEqualTo(3);
    assertThat(request.getState().getDesired()).containsEntry("led", "on").containsKey("old");
    assertThat(request.getState().getDesired().get("old")).isNull();

    var generated =
        send("POST", "/devices/ds-1/shadow", "{\"state\":{\"desired\":{\"led\":\"off\"}}}");
    assertThat(json(generated).get("clientToken").asText()).isNotBlank();
    var reported =
        send("POST", "/devices/ds-1/shadow", "{\"state\":{\"reported\":{\"led\":\"on\"}}}");
    assertThat(reported.statusCode()).isEqualTo(400);
    assertThat(json(reported).get("field").asText()).isEqualTo("state.reported");
    var badVersion =
        send("POST", "/devices/ds-1/shadow", "{\"state\":{\"desired\":{}},\"version\":-1}");
    assertThat(json(badVersion).get("field").asText()).isEqualTo("version");
  }

  @Test
  void aCommandLandsInTheCommandTopic() throws Exception {
    assertThat(send("POST", "/devices", "{\"deviceId\":\"cmd-1\"}").statusCode()).isEqualTo(201);
    var sent =
        send("POST", "/devices/cmd-1/commands", "{\"name\":\"reboot\",\"params\":{\"delay\":5}}");
    assertThat(sent.statusCode()).isEqualTo(202);
    String commandId = json(sent).get("commandId").asText();
    ConsumerRecord<byte[], byte[]> record =
        kafka.consume(FleetTopics.COMMANDS.name(), 1, Duration.ofSeconds(10)).stream()
            .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("cmd-1"))
            .findFirst()
            .orElseThrow();
    JsonNode command = ModelJson.mapper().readTree(record.value());
    assertThat(command.get("commandId").asText()).isEqualTo(commandId);
    assertThat(command.get("expiresAt").asLong()).isGreaterThan(command.get("issuedAt").asLong());
    assertThat(
            json(send("POST", "/devices/cmd-1/commands", "{\"params\":{}}")).get("field").asText())
        .isEqualTo("name");
  }

  @Test
  void alertsAreDeduplicatedByAlertIdWithTheLatestTransition() throws Exception {
    Alert open =
        new Alert(
            "al-1",
            "al-dev",
            "threshold",
            AlertSeverity.CRITICAL,
            AlertState.OPEN,
            1000,
            "temp",
            90.0,
            "hot",
            "r1");
    Alert resolved =
        new Alert(
            "al-1",
            "al-dev",
            "threshold",
            AlertSeverity.CRITICAL,
            AlertState.RESOLVED,
            2000,
            "temp",
            40.0,
            "ok",
            "r1");
    Alert other =
        new Alert(
            "al-2",
            "al-dev",
            "offline",
            AlertSeverity.WARNING,
            AlertState.OPEN,
            1500,
            null,
            null,
            "gone",
            "r2");
    produce(FleetTopics.ALERTS.name(), "al-dev", ModelJson.toBytes(open));
    produce(FleetTopics.ALERTS.name(), "al-dev", ModelJson.toBytes(open));
    produce(FleetTopics.ALERTS.name(), "al-dev", ModelJson.toBytes(other));
    produce(FleetTopics.ALERTS.name(), "al-dev", "not json".getBytes(StandardCharsets.UTF_8));
    produce(FleetTopics.ALERTS.name(), "al-dev", ModelJson.toBytes(resolved));
    await(
        () -> {
          JsonNode a = json(get("/alerts/al-1", READER));
          return a.has("alert") && a.at("/alert/state").asText().equals("RESOLVED");
        },
        "the resolution");
    JsonNode list = json(get("/alerts?deviceId=al-dev", READER));
    assertThat(list.get("items")).hasSize(2);
    assertThat(list.at("/items/0/alertId").asText()).isEqualTo("al-1"); // newest first
    assertThat(json(get("/alerts?deviceId=al-dev&state=OPEN", READER)).get("items")).hasSize(1);
    assertThat(json(get("/alerts?severity=warning", READER)).at("/items/0/alertId").asText())
        .isEqualTo("al-2");
    assertThat(json(get("/alerts/al-1", READER)).get("transitions")).hasSize(3);
    assertThat(json(get("/alerts?from=1600&deviceId=al-dev", READER)).get("items")).hasSize(1);
    assertThat(get("/alerts?severity=LOUD", READER).statusCode()).isEqualTo(400);
    assertThat(get("/alerts?from=yesterday", READER).statusCode()).isEqualTo(400);
    assertThat(get("/alerts/none", READER).statusCode()).isEqualTo(404);
    assertThat(get("/metrics", null).body()).contains("fleetpulse_api_view_records_unreadable");
  }

  @Test
  void theOpenApiDocumentValidatesAndListsExactlyTheServedRoutes() throws Exception {
    var response = get("/openapi.json", null);
    assertThat(response.statusCode()).isEqualTo(200);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(response.body());
    assertThat(result.getMessages()).isEmpty();
    Set<String> documented = new HashSet<>();
    result
        .getOpenAPI()
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .keySet()
                    .forEach(m -> documented.add(m.name() + " " + path)));
    Set<String> served = new HashSet<>(Set.of("GET /health", "GET /metrics", "GET /openapi.json"));
    api.routes().forEach(r -> served.add(r.method().name() + " " + r.path()));
    assertThat(documented).isEqualTo(served);
  }

  @Test
  void aSecondInstanceRebuildsTheSameViews() throws Exception {
    assertThat(send("POST", "/devices", "{\"deviceId\":\"two-1\",\"site\":\"x\"}").statusCode())
        .isEqualTo(201);
    try (ShadowApi second = new ShadowApi(config(kafka.bootstrapServers())).start()) {
      String other = "http://127.0.0.1:" + second.port();
      await(() -> second.ready(), "the second instance");
      var got =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(other + "/devices/two-1"))
                  .header("Authorization", "Bearer " + READER)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(json(got).get("site").asText()).isEqualTo("x");
    }
  }

  private static void produce(String topic, String key, byte[] value) {
    kafka.produce(
        List.of(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)));
  }

  private static HttpRequest.Builder request(String path, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  static HttpResponse<String> get(String path, String key) {
    try {
      return HTTP.send(request(path, key).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b = request(path, ADMIN);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) {
    try {
      return ModelJson.mapper().readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
