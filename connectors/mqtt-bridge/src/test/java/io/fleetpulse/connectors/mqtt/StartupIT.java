package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttFleet;
import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class StartupIT {

  @Test
  void aBridgeStartedBeforeTheBrokerConnectsAndForwardsOnceTheBrokerIsUp(
      MosquittoBroker broker, KafkaTestClient kafka) {
    String name = "early";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("mqtt.connect-timeout", "1s");
    settings.put("downlink.enabled", "false");
    broker.stop();
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      assertThat(bridge.healthy()).isFalse();

      broker.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(30), bridge::healthy);
      List<PublishedMessage> published;
      try (MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 2, "dev")) {
        published = fleet.publish(5, "telemetry", 200);
      }
      assertThat(
              BridgeTests.awaitAll(
                  kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(30)))
          .hasSize(10);
    } finally {
      broker.start();
    }
  }

  @Test
  void aStartThatCannotServeHttpFailsNamingTheAddress(MosquittoBroker broker, KafkaTestClient kafka)
      throws Exception {
    BridgeTests.createTopics(kafka, "taken");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> settings = BridgeTests.settings(broker, kafka, "taken");
      settings.put("http.port", String.valueOf(taken.getLocalPort()));
      MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build();

      assertThatThrownBy(bridge::start).hasMessageContaining(":" + taken.getLocalPort());
      assertThat(bridge.healthy()).isFalse();
    }
  }

  @Test
  void aStartWithAMissingTopicFailsNamingIt(MosquittoBroker broker, KafkaTestClient kafka) {
    Map<String, String> settings = BridgeTests.settings(broker, kafka, "no-topics");
    MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build();

    assertThatThrownBy(bridge::start)
        .hasMessageContaining("MQTT bridge cannot start")
        .hasMessageContaining(BridgeTests.telemetry("no-topics"))
        .hasMessageContaining(BridgeTests.rejected("no-topics"));
    assertThat(bridge.healthy()).isFalse();
  }
}
