package io.fleetpulse.connectors.mqtt.internal;

import io.fleetpulse.common.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to Kafka and calls back once Kafka acknowledged each one; a record whose write
 * failed for a passing reason (Kafka down, a leader moving, a timeout) is written again after a
 * growing pause, for as long as it takes, so that no message whose acknowledgement depends on it is
 * ever dropped. A record Kafka will never take (see {@link #refusedForGood}) is handed to the
 * caller's refusal callback instead: retrying it would hold its acknowledgement, and with it every
 * later one, forever.
 *
 * <p>Records are handed to the producer on a thread of the sender's own: {@code KafkaProducer.send}
 * blocks up to {@code max.block.ms} while it has no metadata for a topic or no buffer space (Kafka
 * down), and the caller, the MQTT client's event loop, must never block, or keep-alive stops and
 * the broker drops the bridge.
 */
public final class KafkaSender implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSender.class);
  private static final long FIRST_RETRY_MS = 100;
  private static final long MAX_RETRY_MS = 5_000;

  private final Producer<byte[], byte[]> producer;
  private final BridgeMetrics metrics;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("bridge-kafka-retry"));
  // One thread, first in first out: each device's records reach the producer in arrival order.
  // Unbounded, but the uplink hands over at most uplink.max-inflight records at a time.
  private final ExecutorService sending =
      Executors.newSingleThreadExecutor(DaemonThreads.factory("bridge-kafka-send"));
  // When writes started failing with no success since (System.nanoTime), or 0 while they succeed.
  private final AtomicLong failingSince = new AtomicLong();
  private volatile String lastError = "";
  // Records handed over and not yet acknowledged or refused, and when the last of them was.
  private final AtomicInteger pending = new AtomicInteger();
  private volatile long lastProgress = System.nanoTime();

  public KafkaSender(Producer<byte[], byte[]> producer, BridgeMetrics metrics) {
    this.producer = producer;
    this.metrics = metrics;
  }

  /**
   * Writes {@code record}; exactly one of {@code onAcked} (Kafka acknowledged it) and {@code
   * onRefused} (Kafka refused it for good) runs, once.
   */
  public void send(
      ProducerRecord<byte[], byte[]> record, Runnable onAcked, Consumer<Exception> onRefused) {
    if (pending.getAndIncrement() == 0) {
      lastProgress = System.nanoTime();
    }
    Runnable acked =
        () -> {
          progress();
          onAcked.run();
        };
    Consumer<Exception> refused =
        error -> {
          progress();
          onRefused.accept(error);
        };
    try {
      sending.execute(() -> attempt(record, acked, refused, 0));
    } catch (RejectedExecutionException closing) {
      pending.decrementAndGet();
      LOG.warn("bridge is closing; record for {} left unacknowledged", record.topic());
    }
  }

  private void progress() {
    lastProgress = System.nanoTime();
    pending.decrementAndGet();
  }

  /**
   * Whether Kafka takes records: {@code null} when it does (or nothing was written yet), else why
   * not, once writes have failed for {@code grace} with no success since.
   */
  public String problem(Duration grace) {
    long now = System.nanoTime();
    long since = failingSince.get();
    if (since != 0 && now - since >= grace.toNanos()) {
      return "writes failing for " + Duration.ofNanos(now - since).toSeconds() + " s: " + lastError;
    }
    // The producer retries on its own for up to delivery.timeout.ms before anything fails: records
    // waiting with no acknowledgement at all for the grace period mean the same.
    int waiting = pending.get();
    long quiet = now - lastProgress;
    if (waiting > 0 && quiet >= grace.toNanos()) {
      return "no acknowledgement from Kafka for "
          + Duration.ofNanos(quiet).toSeconds()
          + " s, "
          + waiting
          + " records waiting";
    }
    return null;
  }

  /**
   * Whether {@code error} means that this record will never be written however often it is tried:
   * too large for the topic or the producer, no permission on its topic, an invalid topic or
   * record. Errors of the whole cluster or connection (cluster authorization, timeouts, ...) are
   * not: dropping every record while they last would lose the fleet's data, so those are retried.
   */
  static boolean refusedForGood(Exception error) {
    return error instanceof RecordTooLargeException
        || error instanceof RecordBatchTooLargeException
        || error instanceof TopicAuthorizationException
        || error instanceof InvalidTopicException
        || error instanceof InvalidRecordException
        || error instanceof SerializationException;
  }

  private void attempt(
      ProducerRecord<byte[], byte[]> record,
      Runnable onAcked,
      Consumer<Exception> onRefused,
      int failures) {
    long started = System.nanoTime();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              failingSince.set(0);
              metrics.kafkaSendTook(System.nanoTime() - started);
              onAcked.run();
            } else {
              failed(record, onAcked, onRefused, failures, error);
            }
          });
    } catch (RuntimeException error) {
      // send() itself fails when metadata or buffer space did not come within max.block.ms.
      failed(record, onAcked, onRefused, failures, error);
    }
  }

  private void failed(
      ProducerRecord<byte[], byte[]> record,
      Runnable onAcked,
      Consumer<Exception> onRefused,
      int failures,
      Exception error) {
    if (refusedForGood(error)) {
      metrics.kafkaRefused(error.getClass().getSimpleName());
      // Not on the producer's I/O thread, where this runs: the refusal usually sends again (to the
      // rejected topic), and a send there that waits for metadata would wait for itself.
      try {
        retries.execute(() -> onRefused.accept(error));
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        LOG.warn("bridge is closing; refused record for {} left unacknowledged", record.topic());
      }
    } else {
      lastError = error.toString();
      failingSince.compareAndSet(0, System.nanoTime());
      retryLater(record, onAcked, onRefused, failures, error);
    }
  }

  private void retryLater(
      ProducerRecord<byte[], byte[]> record,
      Runnable onAcked,
      Consumer<Exception> onRefused,
      int failures,
      Exception error) {
    metrics.kafkaRetry(error.getClass().getSimpleName());
    long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(failures, 10));
    if (failures == 0 || failures % 10 == 0) {
      LOG.warn(
          "writing to Kafka topic {} failed ({} attempts), trying again in {} ms: {}",
          record.topic(),
          failures + 1,
          delay,
          error.toString());
    }
    try {
      retries.schedule(
          () -> again(record, onAcked, onRefused, failures + 1), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      LOG.warn("bridge is closing; record for {} left unacknowledged", record.topic());
    }
  }

  // Through the sending thread again: send() may block there, never on the retry thread, which
  // also runs the refusal callbacks.
  private void again(
      ProducerRecord<byte[], byte[]> record,
      Runnable onAcked,
      Consumer<Exception> onRefused,
      int failures) {
    try {
      sending.execute(() -> attempt(record, onAcked, onRefused, failures));
    } catch (RejectedExecutionException closing) {
      LOG.warn("bridge is closing; record for {} left unacknowledged", record.topic());
    }
  }

  /** Waits up to {@code timeout} for records in the producer's buffer, then closes it. */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  public void close(Duration timeout) {
    retries.shutdownNow();
    sending.shutdown();
    try {
      if (!sending.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        sending.shutdownNow();
      }
    } catch (InterruptedException e) {
      sending.shutdownNow();
      Thread.currentThread().interrupt();
    }
    producer.close(timeout);
  }
}
