package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.RejectReason;
import java.time.Duration;
import java.util.ArrayDeque;
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

  /** How far ahead of the consumer's position a record is read to rather than sought. */
  private static final long READ_AHEAD = 5_000;

  private final String bootstrapServers;
  private final HashMap<String, String> clientProperties;
  private final Duration timeout;
  private transient KafkaConsumer<byte[], byte[]> consumer;
  private transient TopicPartition current;
  private transient ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer;
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
    buffer = new ArrayDeque<>();
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
    long offset = letter.getSourceOffset();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      KafkaConsumer<byte[], byte[]> c = consumer();
      if (!partition.equals(current)) {
        c.assign(List.of(partition));
        current = partition;
        buffer.clear();
        c.seek(partition, offset);
      } else {
        ConsumerRecord<byte[], byte[]> found = fromBuffer(offset);
        if (found != null) {
          return found;
        }
        long position = c.position(partition);
        // A burst of late records of one partition is read forward, not sought record by record.
        if (position > offset || offset - position > READ_AHEAD) {
          buffer.clear();
          c.seek(partition, offset);
        }
      }
      while (System.nanoTime() < deadline) {
        buffer.addAll(c.poll(Duration.ofMillis(100)).records(partition));
        ConsumerRecord<byte[], byte[]> found = fromBuffer(offset);
        if (found != null) {
          return found;
        }
        if (!buffer.isEmpty() && buffer.peekFirst().offset() > offset) {
          // Compacted or deleted: the record is gone.
          return null;
        }
      }
    } catch (RuntimeException e) {
      // The dead letter keeps its re-encoded JSON; a new consumer is made for the next one.
      closeConsumer();
    }
    return null;
  }

  /** The buffered record at {@code offset}, dropping the ones before it. */
  private ConsumerRecord<byte[], byte[]> fromBuffer(long offset) {
    while (!buffer.isEmpty() && buffer.peekFirst().offset() < offset) {
      buffer.pollFirst();
    }
    if (!buffer.isEmpty() && buffer.peekFirst().offset() == offset) {
      return buffer.peekFirst();
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
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
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
      current = null;
    }
    if (buffer != null) {
      buffer.clear();
    }
  }

  @Override
  public void close() {
    closeConsumer();
  }
}
