package io.fleetpulse.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.devstack.mqtt.MqttFleet;
import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka away for many keep-alive intervals under load: the MQTT event loop never waits for Kafka,
 * so the connection stays up, and what the bridge cannot pass on stays with the broker.
 */
@ExtendWith({KafkaExtension.class, MosquittoExtension.class})
class KafkaDownKeepAliveIT {

  private static final int MAX_INFLIGHT = 200;

  @Test
  void theMqttConnectionOutlivesAKafkaOutageOfSixKeepAlivesAndNothingIsLost(
      MosquittoBroker broker, EmbeddedKafka embeddedKafka, KafkaTestClient kafka) {
    String name = "keepalive";
    BridgeTests.createTopics(kafka, name);
    Map<String, String> settings = BridgeTests.settings(broker, kafka, name);
    settings.put("mqtt.shared-group", name);
    // Mosquitto drops a client that says nothing for 1.5 keep-alives: 1.5 s here.
    settings.put("mqtt.keep-alive", "1s");
    settings.put("uplink.max-inflight", String.valueOf(MAX_INFLIGHT));
    settings.put("downlink.enabled", "false");
    List<PublishedMessage> published;
    List<ConsumerRecord<byte[], byte[]>> arrived;
    int maxInflight;
    int disconnects;
    HeapSampler heap = new HeapSampler();
    try (MqttBridge bridge = MqttBridge.builder().config(BridgeTests.config(settings)).build();
        MqttFleet fleet = MqttFleet.connect(broker.host(), broker.port(), 100, "ka")) {
      bridge.start();
      BridgeTests.await("bridge healthy", Duration.ofSeconds(20), bridge::healthy);
      heap.start();
      // About eight seconds of traffic at 1,000 messages/s; Kafka goes away after one, for six.
      CompletableFuture<List<PublishedMessage>> publishing =
          CompletableFuture.supplyAsync(() -> fleet.publish(80, "telemetry", 200, 1_000));
      BridgeTests.sleep(1_000);
      long outage = System.nanoTime();
      try {
        embeddedKafka.stop();
        BridgeTests.await(
            "health naming Kafka", Duration.ofSeconds(5), () -> bridge.down().contains("kafka"));
        HttpResponse<String> health = BridgeTests.get(bridge.httpPort(), "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"down\":[\"kafka\"]").contains("no acknowledgement");
        BridgeTests.sleep(Math.max(0, 6_000 - (System.nanoTime() - outage) / 1_000_000));
      } finally {
        embeddedKafka.start();
      }
      BridgeTests.await("health back", Duration.ofSeconds(30), bridge::healthy);
      published = publishing.join();
      arrived =
          BridgeTests.awaitAll(
              kafka, BridgeTests.telemetry(name), published, Duration.ofSeconds(60));
      maxInflight = bridge.maxInflight();
      disconnects = bridge.mqttDisconnects();
    } finally {
      heap.stop();
    }
    Set<ByteBuffer> distinct = new HashSet<>();
    arrived.forEach(r -> distinct.add(ByteBuffer.wrap(r.value())));
    System.out.printf(
        "Kafka down 6 s at keep-alive 1 s: %d published, %d records, %d distinct, max in flight"
            + " %d, MQTT disconnects %d, peak heap used %d MB (before the run %d MB)%n",
        published.size(),
        arrived.size(),
        distinct.size(),
        maxInflight,
        disconnects,
        heap.peak() / (1024 * 1024),
        heap.first() / (1024 * 1024));
    assertThat(disconnects).as("MQTT connection lost during the Kafka outage").isZero();
    assertThat(distinct).as("every published message arrived").hasSize(published.size());
    assertThat(maxInflight).isLessThanOrEqualTo(MAX_INFLIGHT);
  }

  /** Samples the heap in use every 20 ms. */
  private static final class HeapSampler {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong first = new AtomicLong(-1);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread =
        new Thread(
            () -> {
              while (running.get()) {
                long used = memory.getHeapMemoryUsage().getUsed();
                first.compareAndSet(-1, used);
                peak.accumulateAndGet(used, Math::max);
                BridgeTests.sleep(20);
              }
            },
            "heap-sampler");

    void start() {
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      running.set(false);
    }

    long peak() {
      return peak.get();
    }

    long first() {
      return first.get();
    }
  }
}
