package io.fleetpulse.api.live;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.ModelJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the topics the streams show (alerts, shadows, registry, aggregates) with one consumer and
 * keeps the newest records in a ring. Every record carries the feed's position after it (per topic
 * partition, the next offset): that is the stream's event id, so a client that reconnects with it
 * gets exactly what came after, from any instance, as long as the ring still holds it.
 */
public final class LiveFeed implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

  /** What a record is. */
  public enum Kind {
    ALERT("a"),
    SHADOW("s"),
    DEVICE("d"),
    AGGREGATE("g");

    final String code;

    Kind(String code) {
      this.code = code;
    }
  }

  /** One record with the feed position after it; {@code alert} is parsed once for alert records. */
  public record Entry(
      Kind kind, int partition, long offset, String key, byte[] value, Alert alert, String id) {

    /** The value as text, or null for a tombstone. */
    public String text() {
      return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
  }

  /** A subscriber's sink; called on the feed's thread, so it must only queue. */
  public interface Sink {
    void accept(Entry entry);
  }

  private final Map<Kind, String> topics;
  private final int capacity;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final ArrayDeque<Entry> ring = new ArrayDeque<>();
  private final Map<String, Long> position = new LinkedHashMap<>();
  private final Map<String, Long> availableFrom = new HashMap<>();
  private final List<Sink> sinks = new CopyOnWriteArrayList<>();
  private final Map<String, Kind> kindByTopic = new HashMap<>();
  private volatile boolean started;
  private volatile boolean closing;

  public LiveFeed(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      Map<Kind, String> topics,
      int capacity) {
    this.topics = topics;
    this.capacity = capacity;
    topics.forEach((k, t) -> kindByTopic.put(t, k));
    Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fleetpulse-api-live");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "api-live-feed");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Whether the feed has positioned itself on every partition. */
  public boolean started() {
    return started;
  }

  /**
   * Registers {@code sink} and returns what it missed since {@code from} (an event id, or null for
   * live only). Replay and registration happen under one lock, so nothing falls between them.
   *
   * @return the missed entries, oldest first; {@code gap} true when some were no longer kept
   */
  public synchronized Replay subscribe(
      String from, Sink sink, java.util.function.Consumer<Replay> first) {
    List<Entry> missed = new ArrayList<>();
    boolean gap = false;
    if (from != null) {
      Map<String, Long> seen = parse(from);
      for (Map.Entry<String, Long> p : position.entrySet()) {
        long next = seen.getOrDefault(p.getKey(), availableFrom.getOrDefault(p.getKey(), 0L));
        if (next < availableFrom.getOrDefault(p.getKey(), 0L)) {
          gap = true;
        }
      }
      for (Entry e : ring) {
        String tp = e.kind().code + e.partition();
        if (e.offset() >= seen.getOrDefault(tp, availableFrom.getOrDefault(tp, 0L))) {
          missed.add(e);
        }
      }
    }
    Replay replay = new Replay(missed, gap, current());
    first.accept(replay); // before any live entry reaches the sink
    sinks.add(sink);
    return replay;
  }

  public void unsubscribe(Sink sink) {
    sinks.remove(sink);
  }

  /** What {@link #subscribe} gives back. */
  public record Replay(List<Entry> missed, boolean gap, String position) {}

  /** The id of the current position (where a client is after everything read so far). */
  public synchronized String current() {
    StringJoiner id = new StringJoiner("_");
    position.forEach((tp, next) -> id.add(tp + "." + next));
    return id.toString();
  }

  /** Hands the current position to {@code action} while no entry can slip in between. */
  public synchronized void tick(java.util.function.Consumer<String> action) {
    action.accept(current());
  }

  /** An event id as positions; anything unreadable counts as no position. */
  static Map<String, Long> parse(String id) {
    Map<String, Long> map = new HashMap<>();
    for (String part : id.split("_")) {
      int dot = part.indexOf('.');
      if (dot > 1) {
        try {
          map.put(part.substring(0, dot), Long.parseLong(part.substring(dot + 1)));
        } catch (NumberFormatException e) {
          // ignored: that partition replays what the ring has
        }
      }
    }
    return map;
  }

  /** Whether {@code id} looks like one of this feed's event ids. */
  public static boolean valid(String id) {
    return id.matches("([adgs][0-9]+\\.[0-9]+)(_[adgs][0-9]+\\.[0-9]+)*");
  }

  private void run() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (Map.Entry<Kind, String> t : topics.entrySet()) {
        List<PartitionInfo> infos = consumer.partitionsFor(t.getValue());
        if (infos == null || infos.isEmpty()) {
          LOG.info("live feed: topic {} does not exist, its events are not streamed", t.getValue());
          continue;
        }
        infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions);
      // Start a little back so that clients of an instance that restarted can resume.
      long back = Math.max(1, capacity / Math.max(1, partitions.size()) / 2);
      synchronized (this) {
        for (TopicPartition tp : partitions) {
          long start = Math.max(begins.get(tp), ends.get(tp) - back);
          consumer.seek(tp, start);
          String code = kindByTopic.get(tp.topic()).code + tp.partition();
          position.put(code, start);
          availableFrom.put(code, start);
        }
      }
      started = true;
      while (!closing) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          append(r);
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        LOG.error("live feed stopped", e);
      }
    } catch (RuntimeException e) {
      LOG.error("live feed stopped", e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void append(ConsumerRecord<byte[], byte[]> r) {
    Kind kind = kindByTopic.get(r.topic());
    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    Alert alert = null;
    if (kind == Kind.ALERT) {
      try {
        alert = ModelJson.fromBytes(r.value(), Alert.class);
        if (alert.getDeviceId() == null) {
          alert.setDeviceId(key);
        }
      } catch (IllegalArgumentException e) {
        alert = null; // shown to nobody; the alert view logs and counts it
      }
    }
    Entry entry;
    synchronized (this) {
      String code = kind.code + r.partition();
      position.put(code, r.offset() + 1);
      entry = new Entry(kind, r.partition(), r.offset(), key, r.value(), alert, current());
      ring.addLast(entry);
      while (ring.size() > capacity) {
        Entry old = ring.removeFirst();
        availableFrom.put(old.kind().code + old.partition(), old.offset() + 1);
      }
      // Under the lock: a subscriber gets each entry either in its replay or here, never both.
      for (Sink s : sinks) {
        s.accept(entry);
      }
    }
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
