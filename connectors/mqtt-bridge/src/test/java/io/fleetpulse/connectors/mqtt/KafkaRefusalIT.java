package io.fleetpulse.connectors.mqtt;

import static io.fleetpulse.connectors.mqtt.BridgeTests.header;
import static io.fleetpulse.connectors.mqtt.BridgeTests.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A record Kafka will never accept is rejected on its own; every other device keeps flowing. */
@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class KafkaRefusalIT {

  private static final int DEVICES = 50;

  @Test
  void aRecordAboveTheTopicsMessageSizeGoesToTheRejectedTopicAndTheOthersFlow(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    String name = "refused";
    // Below one (incompressible) 5,000-byte payload, above the small ones.
    kafka.createTopics(4, Map.of("max.message.bytes", "2000"), BridgeTests.telemetry(name));
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("downlink.enabled", "false");
    // Its own group: the other test's bridge session stays on the broker and would take a share.
    settings.put("mqtt.shared-group", name);
    // Few permits: a record held forever would soon hold all of them.
    settings.put("uplink.max-inflight", "4");
    byte[] tooLarge = incompressible(5_000);
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      publishTooLargeThenSmallOnes(broker, tooLarge);
      BridgeTests.await(
          "every message acknowledged", Duration.ofSeconds(30), () -> bridge.inflight() == 0);

      List<ConsumerRecord<byte[], byte[]>> forwarded =
          kafka.consume(BridgeTests.telemetry(name), DEVICES, Duration.ofSeconds(20));
      Set<String> devices = new HashSet<>();
      forwarded.forEach(r -> devices.add(key(r)));
      assertThat(devices).as("every other device's message arrived").hasSize(DEVICES);

      List<ConsumerRecord<byte[], byte[]>> rejected =
          kafka.consume(BridgeTests.rejected(name), 1, Duration.ofSeconds(20));
      assertThat(rejected).hasSize(1);
      ConsumerRecord<byte[], byte[]> refused = rejected.get(0);
      assertThat(header(refused, "dlq.reason")).isEqualTo("kafka_refused");
      assertThat(header(refused, "dlq.detail"))
          .contains(BridgeTests.telemetry(name))
          .contains("RecordTooLargeException");
      assertThat(header(refused, "dlq.stage")).isEqualTo("mqtt-bridge");
      assertThat(header(refused, "mqtt.topic")).isEqualTo("devices/dev-big/telemetry");
      assertThat(key(refused)).isEqualTo("dev-big");
      assertThat(refused.value()).isEqualTo(tooLarge);
      assertThat(bridge.metricsText())
          .contains(
              "fleetpulse_bridge_rejected_total{direction=\"uplink\",reason=\"kafka_refused\"}"
                  + " 1.0");
    }
  }

  @Test
  void whenEvenTheRejectionIsRefusedTheMessageIsCountedAndAcknowledged(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    String name = "refused-twice";
    kafka.createTopics(
        4,
        Map.of("max.message.bytes", "2000"),
        BridgeTests.telemetry(name),
        BridgeTests.rejected(name));
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("downlink.enabled", "false");
    // Its own group: the other test's bridge session stays on the broker and would take a share.
    settings.put("mqtt.shared-group", name);
    settings.put("uplink.max-inflight", "4");
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      publishTooLargeThenSmallOnes(broker, incompressible(5_000));
      BridgeTests.await(
          "every message acknowledged", Duration.ofSeconds(30), () -> bridge.inflight() == 0);
      List<ConsumerRecord<byte[], byte[]>> forwarded =
          kafka.consume(BridgeTests.telemetry(name), DEVICES, Duration.ofSeconds(20));
      assertThat(forwarded).hasSize(DEVICES);
      assertThat(bridge.metricsText())
          .contains("fleetpulse_bridge_rejections_lost_total{direction=\"uplink\"} 1.0");
    }
  }

  private static void publishTooLargeThenSmallOnes(MosquittoBroker broker, byte[] tooLarge)
      throws Exception {
    Mqtt5AsyncClient big = MqttTestClients.connect(broker, "dev-big");
    try {
      publish(big, "devices/dev-big/telemetry", tooLarge);
    } finally {
      MqttTestClients.disconnect(big);
    }
    Mqtt5AsyncClient others = MqttTestClients.connect(broker, "others");
    try {
      for (int i = 1; i <= DEVICES; i++) {
        publish(
            others,
            "devices/dev-" + i + "/telemetry",
            ("{\"deviceId\":\"dev-" + i + "\",\"ts\":1,\"metrics\":{}}")
                .getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      MqttTestClients.disconnect(others);
    }
  }

  private static byte[] incompressible(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  private static void publish(Mqtt5AsyncClient client, String topic, byte[] payload)
      throws Exception {
    client
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload)
        .send()
        .get(10, TimeUnit.SECONDS);
  }
}
