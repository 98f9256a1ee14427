package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged service, started as {@code java -jar fleetpulse-mqtt-bridge-all.jar --config FILE}.
 */
@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class MqttBridgeJarIT {

  @Test
  void thePackagedJarStartsFromAConfigFileServesHealthAndMetricsAndForwards(
      MosquittoBroker broker, KafkaTestClient kafka) throws Exception {
    Path jar = Path.of(System.getProperty("fleetpulse.bridge.jar"));
    assertThat(jar).exists();
    String name = "jar";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    int httpPort = FreePorts.pick();
    settings.put("http.port", String.valueOf(httpPort));
    byte[] payload = "{\"deviceId\":\"jar-1\",\"ts\":1}".getBytes(StandardCharsets.UTF_8);
    try (BridgeProcess bridge = BridgeProcess.fromJar(jar, settings)) {
      try {
        BridgeTests.await(
            "the service to answer /health with 200",
            Duration.ofSeconds(60),
            () -> BridgeTests.healthy(httpPort));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + bridge.log(), e);
      }
      HttpResponse<String> health = BridgeTests.get(httpPort, "/health");
      assertThat(health.body()).contains("\"status\":\"UP\"");

      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "jar-1");
      try {
        device
            .publishWith()
            .topic("devices/jar-1/telemetry")
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload)
            .send()
            .get(10, TimeUnit.SECONDS);
      } finally {
        MqttTestClients.disconnect(device);
      }
      List<ConsumerRecord<byte[], byte[]>> arrived =
          kafka.consume(BridgeTests.telemetry(name), 1, Duration.ofSeconds(30));
      assertThat(arrived).hasSize(1);
      assertThat(arrived.get(0).value()).isEqualTo(payload);

      String counted = "fleetpulse_bridge_messages_out_total{topic=\"jar.telemetry.raw\"} 1.0";
      BridgeTests.await(
          "the forwarded message counted",
          Duration.ofSeconds(10),
          () -> BridgeTests.get(httpPort, "/metrics").body().contains(counted));
      String metrics = BridgeTests.get(httpPort, "/metrics").body();
      assertThat(metrics)
          .contains("fleetpulse_bridge_kafka_send_seconds")
          .contains("fleetpulse_bridge_inflight")
          .contains("fleetpulse_bridge_mqtt_connected 1.0");

      bridge.stop();
      assertThat(bridge.isAlive()).isFalse();
      assertThat(bridge.log()).contains("MQTT bridge jar-bridge stopped");
      assertThat(Files.exists(jar)).isTrue();
    }
  }
}
