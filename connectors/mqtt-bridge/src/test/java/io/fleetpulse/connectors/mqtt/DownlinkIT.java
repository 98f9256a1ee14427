package io.fleetpulse.connectors.mqtt;

import static io.fleetpulse.connectors.mqtt.BridgeTests.header;
import static io.fleetpulse.connectors.mqtt.BridgeTests.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttTestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class DownlinkIT {

  private static final String NAME = "downlink";
  private static MqttBridge bridge;

  @BeforeAll
  static void startBridge(MosquittoBroker broker, KafkaTestClient kafka) {
    BridgeTests.createTopics(kafka, NAME);
    bridge =
        MqttBridge.builder()
            .config(BridgeTests.config(BridgeTests.settings(broker, kafka, NAME)))
            .build()
            .start();
    BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
  }

  @AfterAll
  static void stopBridge() {
    if (bridge != null) {
      bridge.close();
    }
  }

  @Test
  void aShadowDeltaRecordReachesTheDeviceSubscribedToItsDeltaTopic(
      MosquittoBroker broker, KafkaTestClient kafka) throws InterruptedException {
    Mqtt5AsyncClient device = MqttTestClients.connect(broker, "thermostat-7");
    try {
      BlockingQueue<Mqtt5Publish> received =
          MqttTestClients.subscribe(device, "devices/thermostat-7/shadow/delta");
      byte[] delta = "{\"state\":{\"target\":21},\"version\":4}".getBytes(StandardCharsets.UTF_8);

      kafka.produce(List.of(record(BridgeTests.delta(NAME), "thermostat-7", delta)));

      Mqtt5Publish publish = received.poll(20, TimeUnit.SECONDS);
      assertThat(publish).as("delta delivered to the device").isNotNull();
      assertThat(publish.getTopic().toString()).isEqualTo("devices/thermostat-7/shadow/delta");
      assertThat(publish.getPayloadAsBytes()).isEqualTo(delta);
      assertThat(publish.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
    } finally {
      MqttTestClients.disconnect(device);
    }
  }

  @Test
  void aCommandRecordReachesTheDeviceSubscribedToItsCommandTopic(
      MosquittoBroker broker, KafkaTestClient kafka) throws InterruptedException {
    Mqtt5AsyncClient device = MqttTestClients.connect(broker, "pump-3");
    try {
      BlockingQueue<Mqtt5Publish> received =
          MqttTestClients.subscribe(device, "devices/pump-3/commands");
      byte[] command = "{\"command\":\"reboot\"}".getBytes(StandardCharsets.UTF_8);

      kafka.produce(List.of(record(BridgeTests.commands(NAME), "pump-3", command)));

      Mqtt5Publish publish = received.poll(20, TimeUnit.SECONDS);
      assertThat(publish).as("command delivered to the device").isNotNull();
      assertThat(publish.getTopic().toString()).isEqualTo("devices/pump-3/commands");
      assertThat(publish.getPayloadAsBytes()).isEqualTo(command);
    } finally {
      MqttTestClients.disconnect(device);
    }
  }

  @Test
  void aRecordWhoseKeyIsNoDeviceIdGoesToTheRejectedTopicWithItsReason(KafkaTestClient kafka) {
    byte[] value = "{\"command\":\"reboot\"}".getBytes(StandardCharsets.UTF_8);

    kafka.produce(List.of(record(BridgeTests.commands(NAME), "no/such device", value)));

    List<ConsumerRecord<byte[], byte[]>> rejected =
        kafka.consume(BridgeTests.rejected(NAME), 1, Duration.ofSeconds(20));
    assertThat(rejected).hasSize(1);
    assertThat(header(rejected.get(0), "dlq.reason")).isEqualTo("invalid_device_id");
    assertThat(header(rejected.get(0), "bridge.direction")).isEqualTo("downlink");
    assertThat(header(rejected.get(0), "dlq.source.topic")).isEqualTo(BridgeTests.commands(NAME));
    assertThat(header(rejected.get(0), "dlq.source.offset")).isEqualTo("0");
    assertThat(text(rejected.get(0).value())).isEqualTo(text(value));
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
  }
}
