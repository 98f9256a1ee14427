package io.fleetpulse.connectors.mqtt;

import static io.fleetpulse.connectors.mqtt.BridgeTests.header;
import static io.fleetpulse.connectors.mqtt.BridgeTests.key;
import static io.fleetpulse.connectors.mqtt.BridgeTests.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttFleet;
import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class UplinkDeliveryIT {

  @Test
  void twentyThousandQos1MessagesFromAHundredDevicesArriveInKafkaExactlyAsPublished(
      MosquittoBroker broker, KafkaTestClient kafka) {
    String name = "uplink";
    BridgeTests.createTopics(kafka, name);
    long before = System.currentTimeMillis();
    List<PublishedMessage> published;
    List<ConsumerRecord<byte[], byte[]>> arrived;
    try (MqttBridge bridge =
            MqttBridge.builder()
                .config(BridgeTests.config(BridgeTests.settings(broker, kafka, name)))
                .build()
                .start();
        MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 100, "dev")) {
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      published = fleet.publish(200, "telemetry", 200);
      arrived =
          BridgeTests.awaitAll(
              kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(60));
    }
    long after = System.currentTimeMillis();
    assertThat(published).hasSize(20_000);

    assertThat(arrived).as("records in Kafka, no loss and no duplicates").hasSize(20_000);
    Map<String, PublishedMessage> byPayload = new HashMap<>();
    published.forEach(m -> byPayload.put(text(m.payload()), m));
    for (ConsumerRecord<byte[], byte[]> record : arrived) {
      PublishedMessage sent = byPayload.remove(text(record.value()));
      assertThat(sent).as("a record matches a published message once").isNotNull();
      assertThat(record.value()).isEqualTo(sent.payload());
      assertThat(key(record)).isEqualTo(sent.deviceId());
      assertThat(header(record, "mqtt.topic")).isEqualTo(sent.topic());
      assertThat(header(record, "mqtt.qos")).isEqualTo("1");
      assertThat(Long.parseLong(header(record, "received.at"))).isBetween(before, after);
      assertThat(header(record, "client.id")).isEqualTo(sent.clientId());
    }
    assertThat(byPayload).isEmpty();
  }
}
