package io.fleetpulse.connectors.mqtt.internal;

import io.fleetpulse.common.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to Kafka and calls back once Kafka acknowledged each one; a record whose write
 * failed is written again after a growing pause, for as long as it takes, so that no message whose
 * acknowledgement depends on it is ever dropped.
 */
public final class KafkaSender implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSender.class);
  private static final long FIRST_RETRY_MS = 100;
  private static final long MAX_RETRY_MS = 5_000;

  private final Producer<byte[], byte[]> producer;
  private final BridgeMetrics metrics;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("bridge-kafka-retry"));

  public KafkaSender(Producer<byte[], byte[]> producer, BridgeMetrics metrics) {
    this.producer = producer;
    this.metrics = metrics;
  }

  /** Writes {@code record}; {@code onAcked} runs once, after Kafka acknowledged it. */
  public void send(ProducerRecord<byte[], byte[]> record, Runnable onAcked) {
    attempt(record, onAcked, 0);
  }

  private void attempt(ProducerRecord<byte[], byte[]> record, Runnable onAcked, int failures) {
    long started = System.nanoTime();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              metrics.kafkaSendTook(System.nanoTime() - started);
              onAcked.run();
            } else {
              retryLater(record, onAcked, failures, error);
            }
          });
    } catch (RuntimeException error) {
      // send() itself fails when metadata or buffer space did not come within max.block.ms.
      retryLater(record, onAcked, failures, error);
    }
  }

  private void retryLater(
      ProducerRecord<byte[], byte[]> record, Runnable onAcked, int failures, Exception error) {
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
      retries.schedule(() -> attempt(record, onAcked, failures + 1), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
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
    producer.close(timeout);
  }
}
