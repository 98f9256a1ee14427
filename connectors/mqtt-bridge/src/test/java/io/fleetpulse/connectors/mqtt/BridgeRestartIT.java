package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.FreePorts;
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
class BridgeRestartIT {

  @Test
  void noQos1MessageIsLostWhenTheBridgeProcessIsKilledAndStartedAgainMidRun(
      MosquittoBroker broker, KafkaTestClient kafka) {
    String name = "restart";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    int httpPort = FreePorts.pick();
    settings.put("http.port", String.valueOf(httpPort));
    settings.put("downlink.enabled", "false");
    List<PublishedMessage> published;
    List<ConsumerRecord<byte[], byte[]>> arrived;
    BridgeProcess first = BridgeProcess.fromClassPath(settings);
    BridgeProcess second = null;
    try (MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 100, "dev")) {
      awaitHealthy(first, httpPort);
      CompletableFuture<List<PublishedMessage>> publishing =
          CompletableFuture.supplyAsync(() -> fleet.publish(200, "telemetry", 200, 4_000));
      BridgeTests.sleep(1_500);
      first.kill();
      BridgeTests.sleep(1_000);
      second = BridgeProcess.fromClassPath(settings);
      awaitHealthy(second, httpPort);
      published = publishing.join();
      arrived =
          BridgeTests.awaitAll(
              kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(60));
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
    assertThat(published).hasSize(20_000);

    Set<ByteBuffer> distinct = new HashSet<>();
    arrived.forEach(r -> distinct.add(ByteBuffer.wrap(r.value())));
    System.out.printf(
        "Bridge killed mid-run: %d published, %d records, %d distinct, %d duplicates%n",
        published.size(), arrived.size(), distinct.size(), arrived.size() - distinct.size());
    published.forEach(m -> assertThat(distinct).contains(ByteBuffer.wrap(m.payload())));
    assertThat(distinct).hasSize(20_000);
  }

  private static void awaitHealthy(BridgeProcess bridge, int httpPort) {
    try {
      BridgeTests.await(
          "bridge process healthy", Duration.ofSeconds(30), () -> BridgeTests.healthy(httpPort));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + bridge.log(), e);
    }
  }
}
