package io.fleetpulse.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
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
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One API instance per test class over the JVM's real Kafka broker, with keys of every role and
 * HTTP helpers.
 */
@ExtendWith(KafkaExtension.class)
abstract class ApiTestBase {

  static final String SHADOW_RESPONSES = "iot.shadow.responses";
  static final String ADMIN = "admin-key-2";
  static final String OPERATOR = "operator-key-2";
  static final String READER = "reader-key-2";
  static final List<String> TOPICS =
      List.of(
          FleetTopics.DEVICES.name(),
          FleetTopics.SHADOWS.name(),
          FleetTopics.SHADOW_DESIRED.name(),
          FleetTopics.ALERTS.name(),
          FleetTopics.COMMANDS.name(),
          SHADOW_RESPONSES,
          FleetTopics.ALERT_ACTIONS.name(),
          FleetTopics.TELEMETRY_AGG.name(),
          FleetTopics.WEBHOOKS.name(),
          FleetTopics.WEBHOOKS_DLQ.name());

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static KafkaTestClient kafka;
  static ShadowApi api;
  static String base;

  @BeforeAll
  static void startApi(KafkaTestClient client) {
    kafka = client;
    kafka.createTopics(2, TOPICS, List.of(FleetTopics.DEVICES.name(), FleetTopics.SHADOWS.name()));
    api = new ShadowApi(config(Map.of())).start();
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

  static ShadowApiConfig config(Map<String, String> more) {
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
  static HttpResponse<String> call(String method, String path, String key, String body) {
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

  static HttpResponse<String> get(String path) {
    return call("GET", path, READER, null);
  }

  static HttpResponse<String> admin(String method, String path, String body) {
    return call(method, path, ADMIN, body);
  }

  static HttpResponse<String> operator(String method, String path, String body) {
    return call(method, path, OPERATOR, body);
  }

  static void register(String deviceId, String json) {
    var r = admin("POST", "/devices", json == null ? "{\"deviceId\":\"" + deviceId + "\"}" : json);
    if (r.statusCode() != 201) {
      throw new AssertionError("registering " + deviceId + ": " + r.statusCode() + " " + r.body());
    }
  }

  static void produce(String topic, String key, byte[] value, Map<String, String> headers) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    headers.forEach(
        (k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
    kafka.produce(List.of(record));
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return ModelJson.mapper().readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
    }
  }

  static String header(
      org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r, String n) {
    var h = r.headers().lastHeader(n);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static String key(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  static void await(BooleanSupplier condition, String what) {
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
