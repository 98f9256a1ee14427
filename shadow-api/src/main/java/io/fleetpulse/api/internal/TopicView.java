package io.fleetpulse.api.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one topic from the beginning on its own thread and hands every record to a {@link
 * Materializer}. It is ready once it has read up to the end offsets it found at start, and it lets
 * a writer wait until it has read past the offset of a record just produced (read your writes).
 *
 * <p>No consumer group: every instance of the service reads everything, so several run side by side
 * without sharing partitions.
 */
public final class TopicView implements AutoCloseable {

  /** Applies one record of the topic to the in-memory view. */
  public interface Materializer {
    /**
     * @param key the record key as UTF-8
     * @param value the value, null or empty for a tombstone
     * @throws IllegalArgumentException when the record cannot be read (counted, skipped)
     */
    void apply(String key, byte[] value);
  }

  private static final Logger LOG = LoggerFactory.getLogger(TopicView.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final String name;
  private final String topic;
  private final Materializer materializer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
  private final Object progress = new Object();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private volatile Map<Integer, Long> startEnds;
  private volatile boolean ready;
  private volatile String failure;
  private volatile boolean closing;
  private volatile long lag = -1;
  private volatile long lastProgressNanos = System.nanoTime();

  public TopicView(
      String name,
      String topic,
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      Materializer materializer) {
    this.name = name;
    this.topic = topic;
    this.materializer = materializer;
    Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A transactional ShadowJob or AnomalyJob must not show aborted writes.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fleetpulse-api-view-" + name);
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "api-view-" + name);
    thread.setDaemon(true);
  }

  /** Starts reading from the beginning. */
  public void start() {
    thread.start();
  }

  /** The view's name, as in metrics and {@code /health}. */
  public String name() {
    return name;
  }

  /** Whether the view has read everything that was in the topic when it started. */
  public boolean ready() {
    return ready && failure == null;
  }

  /** Why the reader stopped, or null while it runs. */
  public String failure() {
    return failure;
  }

  /** Records applied so far. */
  public long applied() {
    return applied.get();
  }

  /** Records skipped because they could not be read. */
  public long unreadable() {
    return unreadable.get();
  }

  /**
   * Records between what was in the topic at start and what has been read; 0 once ready. Not the
   * live lag: new writes are shown within a poll.
   */
  public long startLag() {
    Map<Integer, Long> ends = startEnds;
    if (ends == null) {
      return -1;
    }
    long lag = 0;
    for (Map.Entry<Integer, Long> end : ends.entrySet()) {
      lag += Math.max(0, end.getValue() - positions.getOrDefault(end.getKey(), 0L));
    }
    return lag;
  }

  /**
   * Records between what the view has read and the end of its topic (the last stable offset, as the
   * view reads committed records only), as of its last poll; -1 before it knows.
   */
  public long lag() {
    return lag;
  }

  /**
   * Whether the view has stopped, or has been behind its topic's end without reading anything for
   * longer than {@code after} (a reader that hangs counts: it updates nothing).
   */
  public boolean stuck(Duration after) {
    return failure != null || System.nanoTime() - lastProgressNanos > after.toNanos();
  }

  /**
   * Waits until the view has applied the record at {@code offset} of {@code partition}.
   *
   * @return whether it did within {@code timeout}
   */
  public boolean awaitApplied(int partition, long offset, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (positions.getOrDefault(partition, 0L) <= offset) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || failure != null) {
          return false;
        }
        progress.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  private void run() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<Integer, Long> ends = new HashMap<>();
      consumer.endOffsets(partitions).forEach((tp, end) -> ends.put(tp.partition(), end));
      startEnds = Map.copyOf(ends);
      while (!closing) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        // Before applying them: a reader that hangs in a record shows what it has not applied.
        lag = behind(partitions, ends) + records.count();
        for (ConsumerRecord<byte[], byte[]> record : records) {
          apply(record);
        }
        long read = 0;
        synchronized (progress) {
          for (TopicPartition tp : partitions) {
            long position = consumer.position(tp);
            read += position - positions.getOrDefault(tp.partition(), 0L);
            positions.put(tp.partition(), position);
          }
          progress.notifyAll();
        }
        long behind = behind(partitions, ends);
        lag = behind;
        if (read > 0 || behind == 0) {
          lastProgressNanos = System.nanoTime();
        }
        if (!ready && startLag() == 0) {
          ready = true;
          LOG.info("view {} of {} is ready: {} records", name, topic, applied.get());
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        fail(e);
      }
    } catch (RuntimeException e) {
      fail(e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** Records after the consumer's positions up to the ends it knows (no request of its own). */
  private long behind(List<TopicPartition> partitions, Map<Integer, Long> startEnds) {
    long behind = 0;
    for (TopicPartition tp : partitions) {
      // Known from the fetch answers; until the first one, the ends found at start.
      behind +=
          consumer
              .currentLag(tp)
              .orElse(
                  Math.max(0, startEnds.getOrDefault(tp.partition(), 0L) - consumer.position(tp)));
    }
    return behind;
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      unreadable.incrementAndGet();
      LOG.warn(
          "view {}: record without key at {}-{}@{}",
          name,
          topic,
          record.partition(),
          record.offset());
      return;
    }
    try {
      materializer.apply(new String(record.key(), StandardCharsets.UTF_8), record.value());
      applied.incrementAndGet();
    } catch (IllegalArgumentException e) {
      unreadable.incrementAndGet();
      LOG.warn(
          "view {}: unreadable record at {}-{}@{}: {}",
          name,
          topic,
          record.partition(),
          record.offset(),
          e.getMessage());
    }
  }

  private void fail(RuntimeException e) {
    failure = e.toString();
    LOG.error("view {} of {} stopped", name, topic, e);
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  @Override
  public void close() {
    closing = true;
    ConsumerThreads.stop(thread, consumer);
  }
}
