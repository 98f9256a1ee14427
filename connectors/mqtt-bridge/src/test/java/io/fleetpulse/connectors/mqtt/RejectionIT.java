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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class RejectionIT {

  @Test
  void oversizeEmptyUnmappedAndBadDeviceMessagesGoToTheRejectedTopicWithReasonsAndAreCounted(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    String name = "reject";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("uplink.max-payload-bytes", "1024");
    settings.put("uplink.extra-subscriptions", "legacy/#");
    byte[] oversize = new byte[5_000];
    Arrays.fill(oversize, (byte) 'x');
    byte[] good =
        "{\"deviceId\":\"dev-1\",\"ts\":1,\"metrics\":{}}".getBytes(StandardCharsets.UTF_8);
    String metrics;
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "dev-1");
      try {
        publish(device, "devices/dev-1/telemetry", oversize);
        publish(device, "devices/dev-1/telemetry", new byte[0]);
        publish(device, "legacy/dev-1/telemetry", good);
        publish(device, "devices/bad device!/telemetry", good);
        publish(device, "devices/dev-1/telemetry", good);
      } finally {
        MqttTestClients.disconnect(device);
      }
      BridgeTests.await(
          "every message acknowledged",
          Duration.ofSeconds(20),
          () -> bridge.metricsText().contains("fleetpulse_bridge_messages_out_total{topic=\""));
      BridgeTests.await("nothing in flight", Duration.ofSeconds(20), () -> bridge.inflight() == 0);
      metrics = BridgeTests.text(BridgeTests.get(bridge.httpPort(), "/metrics").body().getBytes());
    }

    List<ConsumerRecord<byte[], byte[]>> rejected =
        kafka.consume(BridgeTests.rejected(name), 4, Duration.ofSeconds(20));
    Map<String, ConsumerRecord<byte[], byte[]>> byReason = new HashMap<>();
    rejected.forEach(r -> byReason.put(header(r, "dlq.reason"), r));
    assertThat(byReason)
        .containsOnlyKeys(
            "payload_too_large", "empty_payload", "unmapped_topic", "invalid_device_id");

    ConsumerRecord<byte[], byte[]> tooLarge = byReason.get("payload_too_large");
    assertThat(key(tooLarge)).isEqualTo("dev-1");
    assertThat(header(tooLarge, "payload.size")).isEqualTo("5000");
    assertThat(tooLarge.value()).hasSize(1024);
    assertThat(header(tooLarge, "dlq.detail")).contains("5000").contains("1024");
    assertThat(header(byReason.get("empty_payload"), "mqtt.topic"))
        .isEqualTo("devices/dev-1/telemetry");
    assertThat(header(byReason.get("unmapped_topic"), "mqtt.topic"))
        .isEqualTo("legacy/dev-1/telemetry");
    assertThat(key(byReason.get("unmapped_topic"))).isNull();
    assertThat(header(byReason.get("invalid_device_id"), "mqtt.topic"))
        .isEqualTo("devices/bad device!/telemetry");
    rejected.forEach(r -> assertThat(header(r, "bridge.direction")).isEqualTo("uplink"));
    rejected.forEach(r -> assertThat(header(r, "dlq.stage")).isEqualTo("mqtt-bridge"));
    rejected.forEach(r -> assertThat(header(r, "dlq.failed.at")).matches("\\d{13}"));

    List<ConsumerRecord<byte[], byte[]>> forwarded =
        kafka.consume(BridgeTests.telemetry(name), 1, Duration.ofSeconds(20));
    assertThat(forwarded).as("only the good message is forwarded").hasSize(1);
    assertThat(forwarded.get(0).value()).isEqualTo(good);

    for (String reason :
        List.of("payload_too_large", "empty_payload", "unmapped_topic", "invalid_device_id")) {
      assertThat(metrics)
          .contains(
              "fleetpulse_bridge_rejected_total{direction=\"uplink\",reason=\""
                  + reason
                  + "\"} 1.0");
    }
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
