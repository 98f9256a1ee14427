package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttFleet;
import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class KafkaOutageIT {

  @Test
  void everyMessageArrivesWhenKafkaIsStoppedForTenSecondsMidRun(
      MosquittoBroker broker, EmbeddedKafka embeddedKafka, KafkaTestClient kafka) {
    String name = "outage";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("uplink.max-inflight", "2000");
    settings.put("downlink.enabled", "false");
    List<PublishedMessage> published;
    List<ConsumerRecord<byte[], byte[]>> arrived;
    int maxInflight;
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build();
        MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 100, "dev")) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      // About eight seconds of traffic at 2,500 messages/s; Kafka goes away after two.
      CompletableFuture<List<PublishedMessage>> publishing =
          CompletableFuture.supplyAsync(() -> fleet.publish(200, "telemetry", 200, 2_500));
      BridgeTests.sleep(2_000);
      try {
        embeddedKafka.stop();
        BridgeTests.sleep(10_000);
      } finally {
        embeddedKafka.start();
      }
      published = publishing.join();
      arrived =
          BridgeTests.awaitAll(
              kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(90));
      maxInflight = bridge.maxInflight();
    }
    assertThat(published).hasSize(20_000);

    Set<ByteBuffer> distinct = new HashSet<>();
    arrived.forEach(r -> distinct.add(ByteBuffer.wrap(r.value())));
    int duplicates = arrived.size() - distinct.size();
    System.out.printf(
        "Kafka outage: %d published, %d records, %d distinct, %d duplicates, max in flight %d%n",
        published.size(), arrived.size(), distinct.size(), duplicates, maxInflight);
    assertThat(distinct).as("every published message arrived").hasSize(20_000);
    published.forEach(m -> assertThat(distinct).contains(ByteBuffer.wrap(m.payload())));
    assertThat(maxInflight).as("backpressure bounds the bridge's buffer").isLessThanOrEqualTo(2000);
  }
}
