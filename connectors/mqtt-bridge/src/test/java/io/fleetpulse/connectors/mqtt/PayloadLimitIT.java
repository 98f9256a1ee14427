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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The payload limit counts what Kafka counts (key and headers too), and a publish far above it is
 * never read by the bridge.
 */
@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class PayloadLimitIT {

  private static final int MAX_REQUEST = 20_000;
  private static final int MAX_PAYLOAD = 18_000;

  @Test
  void aRecordWhoseHeadersTakeItAboveTheRequestSizeIsRejectedAsTooLargeAndStillWritten(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    String name = "headers";
    BridgeTests.createTopics(kafka, name);
    byte[] payload = BridgeTests.incompressible(17_000);
    try (MqttBridge bridge = start(broker, kafka, name)) {
      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "dev-long");
      try {
        // Within the payload limit, but its client.id header (from the user property) is 4,000
        // bytes: the record is above the producer's max.request.size.
        device
            .publishWith()
            .topic("devices/dev-long/telemetry")
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload)
            .userProperties()
            .add("client.id", "c".repeat(4_000))
            .applyUserProperties()
            .send()
            .get(10, TimeUnit.SECONDS);
      } finally {
        MqttTestClients.disconnect(device);
      }
      publishSmallOnes(broker, 20);

      List<ConsumerRecord<byte[], byte[]>> rejected =
          kafka.consume(BridgeTests.rejected(name), 1, Duration.ofSeconds(20));
      assertThat(rejected).hasSize(1);
      ConsumerRecord<byte[], byte[]> tooLarge = rejected.get(0);
      assertThat(header(tooLarge, "dlq.reason")).isEqualTo("payload_too_large");
      assertThat(header(tooLarge, "dlq.detail")).contains("max.request.size");
      assertThat(header(tooLarge, "payload.size")).isEqualTo("17000");
      assertThat(header(tooLarge, "client.id")).hasSize(4_000);
      assertThat(key(tooLarge)).isEqualTo("dev-long");
      assertThat(payload).startsWith(tooLarge.value());
      assertThat(kafka.consume(BridgeTests.telemetry(name), 20, Duration.ofSeconds(20)))
          .hasSize(20);
      BridgeTests.await("all acknowledged", Duration.ofSeconds(10), () -> bridge.inflight() == 0);
      assertThat(bridge.metricsText())
          .contains(
              "fleetpulse_bridge_rejected_total{direction=\"uplink\",reason=\"payload_too_large\"}"
                  + " 1.0")
          .doesNotContain("fleetpulse_bridge_rejections_lost_total");
    }
  }

  @Test
  void aPublishFarAboveTheLimitIsNotReadButOneJustAboveIsRejected(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    String name = "huge";
    BridgeTests.createTopics(kafka, name);
    byte[] huge = BridgeTests.incompressible(2 * 1024 * 1024);
    byte[] justAbove = BridgeTests.incompressible(MAX_PAYLOAD + 1_000);
    try (MqttBridge bridge = start(broker, kafka, name)) {
      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "dev-huge");
      try {
        // One device, one topic: the broker sends in this order, so once the second one's
        // rejection is there, the first one would have arrived before it.
        BridgeTests.publish(device, "devices/dev-huge/telemetry", huge);
        BridgeTests.publish(device, "devices/dev-huge/telemetry", justAbove);
      } finally {
        MqttTestClients.disconnect(device);
      }
      publishSmallOnes(broker, 20);

      List<ConsumerRecord<byte[], byte[]>> rejected =
          kafka.consume(BridgeTests.rejected(name), 1, Duration.ofSeconds(20));
      assertThat(kafka.consume(BridgeTests.telemetry(name), 20, Duration.ofSeconds(20)))
          .hasSize(20);
      rejected = kafka.consumeFor(BridgeTests.rejected(name), Duration.ofSeconds(1));
      assertThat(rejected)
          .as("only the publish just above the limit reached the bridge")
          .hasSize(1);
      assertThat(header(rejected.get(0), "payload.size"))
          .isEqualTo(String.valueOf(justAbove.length));
      assertThat(rejected.get(0).value()).isEqualTo(Arrays.copyOf(justAbove, MAX_PAYLOAD));
      assertThat(bridge.mqttDisconnects()).isZero();
      assertThat(bridge.healthy()).isTrue();
    }
  }

  private static MqttBridge start(MosquittoBroker broker, KafkaTestClient kafka, String name) {
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("downlink.enabled", "false");
    settings.put("mqtt.shared-group", name);
    settings.put("kafka.producer.max.request.size", String.valueOf(MAX_REQUEST));
    settings.put("uplink.max-payload-bytes", String.valueOf(MAX_PAYLOAD));
    MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build();
    bridge.start();
    BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
    return bridge;
  }

  private static void publishSmallOnes(MosquittoBroker broker, int count) {
    Mqtt5AsyncClient others = MqttTestClients.connect(broker, "others");
    try {
      for (int i = 1; i <= count; i++) {
        BridgeTests.publish(
            others,
            "devices/dev-" + i + "/telemetry",
            ("{\"deviceId\":\"dev-" + i + "\",\"ts\":1,\"metrics\":{}}")
                .getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      MqttTestClients.disconnect(others);
    }
  }
}
