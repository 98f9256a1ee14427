package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import io.fleetpulse.devstack.mqtt.TestCertificates;
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

/** The shipped production Mosquitto example runs as it is (paths aside) with the bridge. */
@ExtendWith(KafkaExtension.class)
class MosquittoExampleConfigIT {

  @Test
  void theExampleConfigAndAclCarryDeviceMessagesAndKeepDevicesToTheirOwnTopics(
      KafkaTestClient kafka) throws Exception {
    String name = "example";
    BridgeTests.createTopics(kafka, name);
    Path dir = BuildDirs.fresh("mosquitto-example");
    TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
    Files.copy(Path.of("mosquitto/acl"), dir.resolve("acl"));
    String example = Files.readString(Path.of("mosquitto/mosquitto.conf"));
    try (MosquittoBroker broker =
        MosquittoBroker.startWithConfig(
            dir,
            certs,
            port ->
                // Running as this user, on loopback, with the test's files; nothing else changes.
                "user "
                    + System.getProperty("user.name")
                    + "\n"
                    + example
                        .replace("/var/lib/mosquitto/", dir + "/")
                        .replace("/etc/mosquitto/certs/ca.crt", certs.caCertificate().toString())
                        .replace(
                            "/etc/mosquitto/certs/server.crt", certs.serverCertificate().toString())
                        .replace("/etc/mosquitto/certs/server.key", certs.serverKey().toString())
                        .replace("/etc/mosquitto/acl", dir.resolve("acl").toString())
                        .replace("listener 8883", "listener " + port + " 127.0.0.1")
                        .replace(
                            "log_dest stdout", "log_dest file " + dir.resolve("mosquitto.log")))) {
      Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
      settings.put("mqtt.client-id", MosquittoBroker.BRIDGE_IDENTITY + "-" + name);
      settings.put("mqtt.tls.enabled", "true");
      settings.put("mqtt.tls.ca-file", certs.caCertificate().toString());
      settings.put("mqtt.tls.keystore", certs.client(MosquittoBroker.BRIDGE_IDENTITY).toString());
      settings.put("mqtt.tls.keystore-password", TestCertificates.PASSWORD);
      settings.put("downlink.enabled", "false");
      try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build()) {
        bridge.start();
        BridgeTests.await("bridge healthy over TLS", Duration.ofSeconds(20), bridge::healthy);
        Mqtt5AsyncClient device = MqttTestClients.connect(broker, "meter-1");
        try {
          // Another device's topic: the ACL refuses it (PUBACK "not authorized"), so it never
          // reaches the bridge.
          assertThatThrownBy(
                  () ->
                      device
                          .publishWith()
                          .topic("devices/meter-2/telemetry")
                          .qos(MqttQos.AT_LEAST_ONCE)
                          .payload("{\"spoofed\":true}".getBytes(StandardCharsets.UTF_8))
                          .send()
                          .get(10, TimeUnit.SECONDS))
              .hasCauseInstanceOf(Mqtt5PubAckException.class);
          BridgeTests.publish(
              device,
              "devices/meter-1/telemetry",
              "{\"deviceId\":\"meter-1\"}".getBytes(StandardCharsets.UTF_8));
        } finally {
          MqttTestClients.disconnect(device);
        }
        kafka.consume(BridgeTests.telemetry(name), 1, Duration.ofSeconds(20));
        List<ConsumerRecord<byte[], byte[]>> arrived =
            kafka.consumeFor(BridgeTests.telemetry(name), Duration.ofSeconds(1));
        assertThat(arrived).hasSize(1);
        assertThat(BridgeTests.key(arrived.get(0))).isEqualTo("meter-1");
      }
    }
  }
}
