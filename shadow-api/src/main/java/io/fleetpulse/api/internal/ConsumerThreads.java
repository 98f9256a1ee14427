package io.fleetpulse.api.internal;

import java.time.Duration;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Stops a view's reader thread, which owns its consumer and closes it on its way out. */
final class ConsumerThreads {

  private ConsumerThreads() {}

  /**
   * Wakes {@code thread} out of its poll and waits for it; a thread that never ran leaves the
   * consumer to be closed here.
   */
  static void stop(Thread thread, KafkaConsumer<?, ?> consumer) {
    if (!thread.isAlive()) {
      consumer.close(Duration.ofSeconds(2));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
