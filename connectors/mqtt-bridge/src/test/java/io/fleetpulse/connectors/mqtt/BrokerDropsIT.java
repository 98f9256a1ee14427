package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bridge reads the broker's count of dropped messages and reports it. */
@ExtendWith(KafkaExtension.class)
class BrokerDropsIT {

  @Test
  void messagesTheBrokerDroppedAtItsQueueLimitWhileTheBridgeWasAwayAreReportedAtStart(
      KafkaTestClient kafka) {
    String name = "drops";
    BridgeTests.createTopics(kafka, name);
    // Mosquitto's small default queue, shrunk further: what is queued beyond it is dropped.
    try (MosquittoBroker broker =
        MosquittoBroker.start(
            BuildDirs.fresh("mosquitto-drops"),
            null,
            List.of("max_queued_messages 5", "sys_interval 1"))) {
      Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
      settings.put("mqtt.shared-group", "");
      settings.put("downlink.enabled", "false");
      try (MqttBridge first = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
        first.start();
        BridgeTests.await("bridge healthy", Duration.ofSeconds(20), first::healthy);
        // Mosquitto publishes the counter only once it changes: nothing, or 0, so far.
        assertThat(first.brokerDroppedMessages()).isLessThanOrEqualTo(0);
      }
      // The bridge is away; its session stays and the broker queues for it, up to 5.
      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "dropper");
      try {
        for (int i = 0; i < 30; i++) {
          BridgeTests.publish(
              device,
              "devices/dropper/telemetry",
              ("{\"seq\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
      } finally {
        MqttTestClients.disconnect(device);
      }
      try (MqttBridge again = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
        again.start();
        BridgeTests.await(
            "the drops reported", Duration.ofSeconds(15), () -> again.brokerDroppedMessages() > 0);
        System.out.println("broker reported dropped messages: " + again.brokerDroppedMessages());
        long dropped = again.brokerDroppedMessages();
        assertThat(dropped).isBetween(20L, 25L);
        assertThat(again.metricsText())
            .contains("fleetpulse_bridge_broker_dropped_messages " + dropped + ".0");
        assertThat(kafka.consume(BridgeTests.telemetry(name), 30, Duration.ofSeconds(5)))
            .as("what the broker kept for the bridge")
            .hasSize((int) (30 - dropped));
      }
    }
  }
}
