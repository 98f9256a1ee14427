package io.fleetpulse.connectors.mqtt;

import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/** What the bridge's tests share: settings for a test's own topics, waiting, reading headers. */
final class BridgeTests {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private BridgeTests() {}

  /**
   * Bridge settings against {@code broker} and Kafka, with every Kafka topic and the client id
   * prefixed by {@code name} so that tests sharing a Kafka broker never see each other's records.
   */
  static Map<String, String> settings(MosquittoBroker broker, KafkaTestClient kafka, String name) {
    Map<String, String> s = new HashMap<>();
    s.put("mqtt.host", broker.host());
    s.put("mqtt.port", String.valueOf(broker.port()));
    s.put("mqtt.client-id", name + "-bridge");
    s.put("mqtt.reconnect.initial-delay", "100ms");
    s.put("mqtt.reconnect.max-delay", "1s");
    // Mosquitto 2.0.11 sends more unacknowledged messages than a smaller receive maximum allows
    // (measured: 55 on a maximum of 50), and the client then drops the connection.
    s.put("mqtt.receive-maximum", "65535");
    s.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    s.put(
        "uplink.routes",
        "devices/{deviceId}/telemetry="
            + telemetry(name)
            + ",devices/{deviceId}/events="
            + name
            + ".events.raw,devices/{deviceId}/shadow/update="
            + name
            + ".shadow.reported");
    s.put(
        "downlink.routes",
        delta(name)
            + "=devices/{deviceId}/shadow/delta,"
            + commands(name)
            + "=devices/{deviceId}/commands");
    s.put("downlink.group-id", name + "-downlink");
    s.put("topic.bridge.rejected", rejected(name));
    s.put("http.host", "127.0.0.1");
    s.put("http.port", "0");
    s.put("shutdown.drain-timeout", "10s");
    return s;
  }

  static MqttBridgeConfig config(Map<String, String> settings) {
    return MqttBridgeConfig.from(Settings.of(settings, MqttBridgeConfig.OPTIONS));
  }

  static String telemetry(String name) {
    return name + ".telemetry.raw";
  }

  static String delta(String name) {
    return name + ".shadow.delta";
  }

  static String commands(String name) {
    return name + ".commands";
  }

  static String rejected(String name) {
    return name + ".bridge.rejected";
  }

  /**
   * Creates the test's Kafka topics, with several partitions like production, and waits until every
   * partition's leader serves requests.
   *
   * <p>Writing to a partition whose leader is not ready yet made the idempotent producer of
   * kafka-clients 3.4 resend from sequence 0 after NOT_LEADER_OR_FOLLOWER and then loop on
   * OutOfOrderSequenceException until its delivery timeout; in production topics exist long before.
   */
  static void createTopics(KafkaTestClient kafka, String name) {
    List<String> topics =
        List.of(
            telemetry(name),
            name + ".events.raw",
            name + ".shadow.reported",
            delta(name),
            commands(name),
            rejected(name));
    kafka.createTopics(4, topics.toArray(String[]::new));
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
      for (String topic : topics) {
        for (int p = 0; p < 4; p++) {
          partitions.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
      }
      await(
          "partition leaders of " + topics,
          Duration.ofSeconds(30),
          () -> {
            try {
              admin.listOffsets(partitions).all().get(5, TimeUnit.SECONDS);
              return true;
            } catch (Exception notYet) {
              return false;
            }
          });
    }
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      sleep(20);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The value of header {@code name} as text, or {@code null} when absent. */
  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  static String key(ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Publishes {@code payload} with QoS 1 and waits for the broker's acknowledgement. */
  static void publish(
      com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient client, String topic, byte[] payload) {
    try {
      client
          .publishWith()
          .topic(topic)
          .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
          .payload(payload)
          .send()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("publishing to " + topic + " failed", e);
    }
  }

  /** A payload of {@code size} random bytes (incompressible). */
  static byte[] incompressible(int size) {
    byte[] bytes = new byte[size];
    new java.util.Random(size).nextBytes(bytes);
    return bytes;
  }

  /** HTTP GET: status code and body. */
  static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether GET /health answers 200; false while the service is not listening. */
  static boolean healthy(int port) {
    try {
      return get(port, "/health").statusCode() == 200;
    } catch (IllegalStateException notListening) {
      return false;
    }
  }

  /**
   * Reads {@code topic} until every published payload arrived at least once or {@code timeout}
   * passed, and returns the records read (duplicates included).
   */
  static List<ConsumerRecord<byte[], byte[]>> awaitAll(
      KafkaTestClient kafka, String topic, List<PublishedMessage> published, Duration timeout) {
    return new Arrivals(kafka.bootstrapServers(), topic).readUntilAll(published, timeout);
  }
}
