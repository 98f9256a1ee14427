package io.fleetpulse.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One API instance per test class over the JVM's real Kafka broker, with keys of every role and
 * HTTP helpers. A class adds settings with {@link ApiSettings}.
 */
@ExtendWith(KafkaExtension.class)
public abstract class ApiTestBase {

  /** Settings ({@code key=value}) the test class's API instance runs with besides the base ones. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  public @interface ApiSettings {
    String[] value();
  }

  static final String SHADOW_RESPONSES = "iot.shadow.responses";
  protected static final String ADMIN = "admin-key-2";
  protected static final String OPERATOR = "operator-key-2";
  protected static final String READER = "reader-key-2";
  static final List<String> TOPICS =
      List.of(
          FleetTopics.DEVICES.name(),
          FleetTopics.SHADOWS.name(),
          FleetTopics.SHADOW_DESIRED.name(),
          FleetTopics.ALERTS.name(),
          FleetTopics.COMMANDS.name(),
          FleetTopics.EVENTS_RAW.name(),
          SHADOW_RESPONSES,
          FleetTopics.ALERT_ACTIONS.name(),
          FleetTopics.TELEMETRY_AGG.name(),
          FleetTopics.WEBHOOKS.name(),
          FleetTopics.WEBHOOKS_DLQ.name());

  protected static final HttpClient HTTP = HttpClient.newHttpClient();
  protected static KafkaTestClient kafka;
  protected static ShadowApi api;
  protected static String base;
  private static Map<String, String> classSettings = Map.of();

  @BeforeAll
  static void startApi(KafkaTestClient client, TestInfo test) {
    kafka = client;
    kafka.createTopics(2, TOPICS, List.of(FleetTopics.DEVICES.name(), FleetTopics.SHADOWS.name()));
    Map<String, String> settings = new HashMap<>();
    ApiSettings more = test.getTestClass().orElseThrow().getAnnotation(ApiSettings.class);
    for (String kv : more == null ? new String[0] : more.value()) {
      settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    classSettings = Map.copyOf(settings);
    startClassApi();
  }

  /** Starts the class's API instance (again, after {@code api.close()}) and waits until ready. */
  protected static void startClassApi() {
    startClassApi(Map.of());
  }

  /** Starts the class's API instance with {@code more} settings as well. */
  protected static void startClassApi(Map<String, String> more) {
    Map<String, String> settings = new HashMap<>(classSettings);
    settings.putAll(more);
    api = new ShadowApi(config(settings)).start();
    base = "http://127.0.0.1:" + api.port();
    await(() -> call("GET", "/health", null, null).statusCode() == 200, "the views to catch up");
  }

  @AfterAll
  static void stopApi() {
    if (api != null) {
      api.close();
      api = null;
    }
  }

  protected static ShadowApiConfig config(Map<String, String> more) {
    Map<String, String> settings = new HashMap<>();
    settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    settings.put("http.host", "127.0.0.1");
    settings.put("http.port", "0");
    settings.put("auth.api-keys", ADMIN + "=admin," + OPERATOR + "=operator," + READER + "=reader");
    // The shared classes send bursts of requests (fuzz, polling); RateLimitIT tests the limits.
    settings.put("ratelimit.reader", "0");
    settings.put("ratelimit.operator", "0");
    settings.put("ratelimit.admin", "0");
    settings.putAll(more);
    return ShadowApiConfig.from(Settings.of(settings, ShadowApiConfig.OPTIONS));
  }

  /** A request with {@code key} (none when null) and a JSON {@code body} (none when null). */
  protected static HttpResponse<String> call(String method, String path, String key, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(40));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path, e);
    }
  }

  protected static HttpResponse<String> get(String path) {
    return call("GET", path, READER, null);
  }

  protected static HttpResponse<String> admin(String method, String path, String body) {
    return call(method, path, ADMIN, body);
  }

  protected static HttpResponse<String> operator(String method, String path, String body) {
    return call(method, path, OPERATOR, body);
  }

  protected static void register(String deviceId, String json) {
    var r = admin("POST", "/devices", json == null ? "{\"deviceId\":\"" + deviceId + "\"}" : json);
    if (r.statusCode() != 201) {
      throw new AssertionError("registering " + deviceId + ": " + r.statusCode() + " " + r.body());
    }
  }

  protected static void produce(
      String topic, String key, byte[] value, Map<String, String> headers) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    headers.forEach(
        (k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
    kafka.produce(List.of(record));
  }

  protected static void produce(String topic, String key, byte[] value) {
    produce(topic, key, value, Map.of());
  }

  /** An alert transition of rule r1 on metric temp, written to {@code iot.alerts}. */
  protected static void produceAlert(
      String deviceId, String alertId, AlertSeverity severity, AlertState state, long count) {
    Alert a =
        new Alert(
            alertId,
            deviceId,
            "threshold",
            severity,
            state,
            System.currentTimeMillis(),
            "temp",
            50.0,
            "warm",
            "r1");
    a.setCount(count);
    produce(FleetTopics.ALERTS.name(), deviceId, ModelJson.toBytes(a));
  }

  /** Writes line protocol (millisecond times) to {@code database} of a real influxd. */
  protected static void writeInflux(InfluxDbProcess influx, String database, String lines)
      throws Exception {
    var written =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(influx.url() + "/write?db=" + database + "&precision=ms"))
                .POST(HttpRequest.BodyPublishers.ofString(lines))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (written.statusCode() != 204) {
      throw new AssertionError(
          "writing to InfluxDB: " + written.statusCode() + " " + written.body());
    }
  }

  protected static JsonNode json(HttpResponse<String> response) {
    try {
      return ModelJson.mapper().readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
    }
  }

  protected static String header(
      org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r, String n) {
    var h = r.headers().lastHeader(n);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  protected static String key(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  protected static void await(BooleanSupplier condition, String what) {
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
