package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.RejectReason;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Puts the original bytes and headers (mqtt.* and all) back into the dead letters of telemetry
 * refused after parsing ({@code late}, {@code too_many_metrics}, recalled or disabled devices), by
 * reading the record again at its source partition and offset.
 *
 * <p>Carrying every record's bytes and headers through the keyed stages would double what the
 * shuffle moves for the rare record that ends in the DLQ; reading it back costs one fetch per dead
 * letter, off the hot path. A record that cannot be read back in {@code timeout} (retention deleted
 * it, the broker is away) keeps the re-encoded JSON and its {@code dlq.original: re-encoded}
 * header, so nothing is lost either way.
 */
public final class OriginalRecords extends RichMapFunction<DeadLetter, DeadLetter> {

  private static final long serialVersionUID = 1L;

  private final String bootstrapServers;
  private final HashMap<String, String> clientProperties;
  private final Duration timeout;
  private transient KafkaConsumer<byte[], byte[]> consumer;
  private transient Counter restored;
  private transient Counter notFound;

  public OriginalRecords(
      String bootstrapServers, Map<String, String> clientProperties, Duration timeout) {
    this.bootstrapServers = bootstrapServers;
    this.clientProperties = new HashMap<>(clientProperties);
    this.timeout = timeout;
  }

  @Override
  public void open(OpenContext openContext) {
    restored = getRuntimeContext().getMetricGroup().counter("deadLetterOriginalsRestored");
    notFound = getRuntimeContext().getMetricGroup().counter("deadLetterOriginalsMissing");
  }

  @Override
  public DeadLetter map(DeadLetter letter) {
    if (!TelemetryDeadLetters.isReencoded(letter)
        || letter.getSourcePartition() < 0
        || letter.getSourceOffset() < 0
        || letter.getSourceTopic() == null) {
      return letter;
    }
    ConsumerRecord<byte[], byte[]> original = fetch(letter);
    if (original == null) {
      notFound.inc();
      return letter;
    }
    restored.inc();
    // The reason code is kept as the refusing operator wrote it.
    DeadLetter full = DeadLetters.of(original, RejectReason.LATE, letter.getDetail());
    full.setReason(letter.getReason());
    full.setFailedAt(letter.getFailedAt());
    return full;
  }

  private ConsumerRecord<byte[], byte[]> fetch(DeadLetter letter) {
    TopicPartition partition =
        new TopicPartition(letter.getSourceTopic(), letter.getSourcePartition());
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      KafkaConsumer<byte[], byte[]> c = consumer();
      c.assign(List.of(partition));
      c.seek(partition, letter.getSourceOffset());
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100)).records(partition)) {
          if (r.offset() == letter.getSourceOffset()) {
            return r;
          }
          if (r.offset() > letter.getSourceOffset()) {
            return null;
          }
        }
      }
    } catch (RuntimeException e) {
      // The dead letter keeps its re-encoded JSON; a new consumer is made for the next one.
      closeConsumer();
    }
    return null;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    if (consumer == null) {
      Properties p = new Properties();
      p.putAll(clientProperties);
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      consumer = new KafkaConsumer<>(p);
    }
    return consumer;
  }

  private void closeConsumer() {
    if (consumer != null) {
      try {
        consumer.close(Duration.ofSeconds(1));
      } catch (RuntimeException e) {
        // Closing after a failure: nothing more to do.
      }
      consumer = null;
    }
  }

  @Override
  public void close() {
    closeConsumer();
  }
}
