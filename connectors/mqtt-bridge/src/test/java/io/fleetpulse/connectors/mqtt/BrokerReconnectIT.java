package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttFleet;
import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class BrokerReconnectIT {

  @Test
  void afterTheBrokerRestartsTheBridgeReconnectsResubscribesAndForwardsAgain(
      MosquittoBroker broker, KafkaTestClient kafka) {
    String name = "reconnect";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("downlink.enabled", "false");
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);

      broker.stop();
      BridgeTests.await("bridge unhealthy", Duration.ofSeconds(10), () -> !bridge.healthy());
      assertThat(BridgeTests.get(bridge.httpPort(), "/health").statusCode()).isEqualTo(503);
      broker.start();
      BridgeTests.await("bridge healthy again", Duration.ofSeconds(30), bridge::healthy);

      List<PublishedMessage> published;
      try (MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 10, "dev")) {
        published = fleet.publish(10, "telemetry", 200);
      }
      List<ConsumerRecord<byte[], byte[]>> arrived =
          BridgeTests.awaitAll(
              kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(30));
      assertThat(arrived).hasSize(100);
      assertThat(bridge.metricsText()).contains("fleetpulse_bridge_mqtt_reconnects_total 1.0");
    }
  }
}
