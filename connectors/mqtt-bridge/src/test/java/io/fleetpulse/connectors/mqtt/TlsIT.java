package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import io.fleetpulse.devstack.mqtt.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bridge against Mosquitto with mutual TLS and the per-device ACL of the design. */
@ExtendWith(KafkaExtension.class)
class TlsIT {

  private static TestCertificates certs;
  private static MosquittoBroker broker;

  @BeforeAll
  static void startBroker() {
    certs = TestCertificates.create(BuildDirs.fresh("certs"));
    broker = MosquittoBroker.start(BuildDirs.fresh("mosquitto-tls"), certs);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.stop();
    }
  }

  @Test
  void withAClientCertificateTheBridgeForwardsWhatACertifiedDevicePublishes(KafkaTestClient kafka)
      throws Exception {
    String name = "tls";
    BridgeTests.createTopics(kafka, name);
    byte[] payload = "{\"deviceId\":\"meter-9\",\"ts\":1}".getBytes(StandardCharsets.UTF_8);
    try (MqttBridge bridge =
        MqttBridge.builder().config(BridgeTests.config(tlsSettings(kafka, name))).build()) {
      bridge.start();
      BridgeTests.await("bridge healthy over TLS", Duration.ofSeconds(20), bridge::healthy);
      Mqtt5AsyncClient device = MqttTestClients.connect(broker, "meter-9");
      try {
        device
            .publishWith()
            .topic("devices/meter-9/telemetry")
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload)
            .send()
            .get(10, TimeUnit.SECONDS);
      } finally {
        MqttTestClients.disconnect(device);
      }

      List<ConsumerRecord<byte[], byte[]>> arrived =
          kafka.consume(BridgeTests.telemetry(name), 1, Duration.ofSeconds(20));
      assertThat(arrived).hasSize(1);
      assertThat(arrived.get(0).value()).isEqualTo(payload);
      assertThat(BridgeTests.key(arrived.get(0))).isEqualTo("meter-9");
    }
  }

  @Test
  void withoutAClientCertificateTheBridgeIsRefusedAndReportsItselfUnhealthy(KafkaTestClient kafka) {
    BridgeTests.createTopics(kafka, "tls-nocert");
    Map<String, String> settings = tlsSettings(kafka, "tls-nocert");
    settings.remove("mqtt.tls.keystore");
    settings.remove("mqtt.tls.keystore-password");
    settings.put("mqtt.connect-timeout", "3s");
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
      bridge.start();
      BridgeTests.sleep(1_000);
      assertThat(bridge.healthy()).isFalse();
      assertThat(BridgeTests.get(bridge.httpPort(), "/health").statusCode()).isEqualTo(503);
    }
  }

  private static Map<String, String> tlsSettings(KafkaTestClient kafka, String name) {
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("mqtt.client-id", MosquittoBroker.BRIDGE_IDENTITY + "-" + name);
    settings.put("mqtt.tls.enabled", "true");
    settings.put("mqtt.tls.ca-file", certs.caCertificate().toString());
    settings.put("mqtt.tls.keystore", certs.client(MosquittoBroker.BRIDGE_IDENTITY).toString());
    settings.put("mqtt.tls.keystore-password", TestCertificates.PASSWORD);
    settings.put("downlink.enabled", "false");
    return settings;
  }
}
