package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

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
class GracefulShutdownIT {

  @Test
  void aBridgeClosedMidRunDrainsWhatItHoldsAndItsSuccessorGetsTheRestWithoutDuplicates(
      MosquittoBroker broker, KafkaTestClient kafka) {
    String name = "graceful";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("downlink.enabled", "false");
    MqttBridgeConfig config = BridgeTests.config(settings);
    List<PublishedMessage> published;
    List<ConsumerRecord<byte[], byte[]>> arrived;
    int inflightAfterClose;
    try (MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 100, "dev")) {
      CompletableFuture<List<PublishedMessage>> publishing;
      MqttBridge first = MqttBridge.builder().config(config).build().start();
      try {
        BridgeTests.await("first bridge healthy", Duration.ofSeconds(20), first::healthy);
        // About four seconds of traffic; the first bridge is closed after one.
        publishing =
            CompletableFuture.supplyAsync(() -> fleet.publish(200, "telemetry", 200, 5_000));
        BridgeTests.sleep(1_000);
      } finally {
        first.close();
      }
      inflightAfterClose = first.inflight();
      try (MqttBridge second = MqttBridge.builder().config(config).build().start()) {
        published = publishing.join();
        arrived =
            BridgeTests.awaitAll(
                kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(60));
      }
    }
    Set<ByteBuffer> distinct = new HashSet<>();
    arrived.forEach(r -> distinct.add(ByteBuffer.wrap(r.value())));
    System.out.printf(
        "Graceful restart: %d published, %d records, %d distinct%n",
        published.size(), arrived.size(), distinct.size());
    assertThat(inflightAfterClose).as("nothing left in flight after close").isZero();
    assertThat(distinct).as("every published message arrived").hasSize(published.size());
    assertThat(arrived).as("no duplicates after a graceful shutdown").hasSize(published.size());
  }
}
