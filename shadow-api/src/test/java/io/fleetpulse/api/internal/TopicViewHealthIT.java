package io.fleetpulse.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A view's lag against its topic's end, and when it counts as stuck, on a real broker. */
@ExtendWith(KafkaExtension.class)
class TopicViewHealthIT {

  private static final Duration STUCK_AFTER = Duration.ofMillis(300);

  @Test
  void aViewThatStopsReadingWhileBehindIsStuckAndRecoversWithLagZero(KafkaTestClient kafka)
      throws Exception {
    String topic = "view-health-1";
    kafka.createTopics(1, topic);
    produce(kafka, topic, 0, 5);
    CountDownLatch release = new CountDownLatch(1);
    List<String> seen = new ArrayList<>();
    TopicView.Materializer hangsOnTheSixth =
        (key, value) -> {
          if (seen.size() == 5) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          seen.add(key);
        };
    try (TopicView view =
        new TopicView("t", topic, kafka.bootstrapServers(), Map.of(), hangsOnTheSixth)) {
      view.start();
      await(view::ready, "the view to read the first five");
      await(() -> view.lag() == 0, "lag 0 at the end of the topic");
      assertThat(view.stuck(STUCK_AFTER)).isFalse();

      produce(kafka, topic, 5, 10);
      await(() -> view.stuck(STUCK_AFTER), "the hanging view to count as stuck");
      assertThat(view.lag()).isPositive();

      release.countDown();
      await(() -> view.lag() == 0 && !view.stuck(STUCK_AFTER), "the view to catch up");
      assertThat(seen).hasSize(10);
    }
  }

  @Test
  void anIdleViewAtTheEndIsNeverStuck(KafkaTestClient kafka) throws Exception {
    String topic = "view-health-2";
    kafka.createTopics(2, topic);
    produce(kafka, topic, 0, 4);
    try (TopicView view =
        new TopicView("t", topic, kafka.bootstrapServers(), Map.of(), (k, v) -> {})) {
      view.start();
      await(() -> view.ready() && view.lag() == 0, "the view to be ready");
      long idleSince = System.nanoTime();
      await(() -> System.nanoTime() - idleSince > 2 * STUCK_AFTER.toNanos(), "idle time to pass");
      assertThat(view.stuck(STUCK_AFTER)).isFalse();
      assertThat(view.lag()).isZero();
    }
  }

  private static void produce(KafkaTestClient kafka, String topic, int from, int to) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      records.add(
          new ProducerRecord<>(
              topic,
              ("k" + i).getBytes(StandardCharsets.UTF_8),
              "{}".getBytes(StandardCharsets.UTF_8)));
    }
    kafka.produce(records);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
