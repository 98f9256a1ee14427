package io.fleetpulse.api.webhooks;

import io.fleetpulse.api.internal.DeviceStore;
import io.fleetpulse.api.internal.RegistryDevice;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.ModelJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the alert topic in a consumer group (so exactly one instance handles each record) and hands
 * each alert to the matching endpoints. A partition's offset is committed only up to the first
 * record that still has a delivery going on: a restart re-reads from there and loses nothing (the
 * receiver deduplicates on {@code webhook-id}).
 */
final class Dispatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final String topic;
  private final EndpointRegistry registry;
  private final DeviceStore devices;
  private final BooleanSupplier registryReady;
  private final Deliverer deliverer;
  private final DeliveryLog log;
  private final int maxPending;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Map<TopicPartition, TreeMap<Long, AtomicInteger>> pending =
      new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private volatile boolean assigned;
  private volatile boolean closing;
  private volatile String failure;

  Dispatcher(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String groupId,
      String topic,
      EndpointRegistry registry,
      DeviceStore devices,
      BooleanSupplier registryReady,
      Deliverer deliverer,
      DeliveryLog log,
      int maxPending) {
    this.topic = topic;
    this.registry = registry;
    this.devices = devices;
    this.registryReady = registryReady;
    this.deliverer = deliverer;
    this.log = log;
    this.maxPending = maxPending;
    Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A new group starts at the end: webhooks are for what happens from now on.
    props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fleetpulse-api-webhooks");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "api-webhook-dispatcher");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Whether the consumer holds partitions (and has fixed where a new group starts). */
  boolean assigned() {
    return assigned;
  }

  String failure() {
    return failure;
  }

  long inFlight() {
    return inFlight.get();
  }

  long unreadable() {
    return unreadable.get();
  }

  private void run() {
    try {
      // Matching against a registry that is still loading would skip endpoints for good.
      while (!closing && !registryReady.getAsBoolean()) {
        Thread.sleep(50);
      }
      consumer.subscribe(List.of(topic), new Rebalance());
      Set<TopicPartition> paused = new HashSet<>();
      while (!closing) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          dispatch(record);
          next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        }
        commitFinished();
        if (inFlight.get() >= maxPending && paused.isEmpty()) {
          paused.addAll(consumer.assignment());
          consumer.pause(paused);
        } else if (inFlight.get() < maxPending / 2 && !paused.isEmpty()) {
          consumer.resume(paused);
          paused.clear();
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        fail(e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      fail(e);
    } finally {
      try {
        commitFinished();
      } catch (RuntimeException e) {
        LOG.debug("last commit failed: {}", e.toString());
      }
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void fail(RuntimeException e) {
    failure = e.toString();
    LOG.error("webhook dispatcher stopped", e);
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> record) {
    Alert alert;
    try {
      alert = ModelJson.fromBytes(record.value(), Alert.class);
      if (alert.getAlertId() == null || alert.getState() == null) {
        throw new IllegalArgumentException("alert without alertId or state");
      }
    } catch (IllegalArgumentException e) {
      // The API's alert view counts and logs these too; nothing to deliver.
      unreadable.incrementAndGet();
      LOG.warn(
          "webhooks: unreadable alert at {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
      return;
    }
    if (alert.getDeviceId() == null && record.key() != null) {
      alert.setDeviceId(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8));
    }
    List<WebhookEndpoint> targets = new ArrayList<>();
    List<String> groups =
        devices.get(alert.getDeviceId()) instanceof RegistryDevice d ? d.getGroups() : null;
    for (WebhookEndpoint e : registry.all()) {
      if (e.isEnabled() && (e.getFilter() == null || e.getFilter().matches(alert, groups))) {
        targets.add(e);
      }
    }
    if (targets.isEmpty()) {
      return;
    }
    String id = messageId(alert);
    String type = eventType(alert);
    String body = body(type, alert);
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    AtomicInteger left = new AtomicInteger(targets.size());
    pending.computeIfAbsent(tp, x -> new TreeMap<>());
    synchronized (pending.get(tp)) {
      pending.get(tp).put(record.offset(), left);
    }
    inFlight.incrementAndGet();
    for (WebhookEndpoint e : targets) {
      if (log.delivered(e.getId(), id)) {
        finishOne(left); // a re-read of a record this instance delivered already
        continue;
      }
      deliverer.submit(
          new Delivery(
              e.getId(),
              id,
              alert.getAlertId(),
              type,
              body,
              record.partition(),
              record.offset(),
              false,
              () -> finishOne(left)));
    }
  }

  private void finishOne(AtomicInteger left) {
    if (left.decrementAndGet() == 0) {
      inFlight.decrementAndGet();
    }
  }

  /** Commits, per partition, up to the first record with a delivery still going on. */
  private void commitFinished() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : next.entrySet()) {
      TopicPartition tp = e.getKey();
      long upTo = e.getValue();
      TreeMap<Long, AtomicInteger> open = pending.get(tp);
      if (open != null) {
        synchronized (open) {
          while (!open.isEmpty() && open.firstEntry().getValue().get() <= 0) {
            open.pollFirstEntry();
          }
          if (!open.isEmpty()) {
            upTo = open.firstKey();
          }
        }
      }
      if (!Long.valueOf(upTo).equals(committed.get(tp))) {
        offsets.put(tp, new OffsetAndMetadata(upTo));
      }
    }
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets);
      offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    }
  }

  /** The {@code webhook-id}: the same for the same transition, whoever reads it and how often. */
  static String messageId(Alert alert) {
    return "msg_"
        + Alert.idFor(alert.getAlertId(), alert.getState().name(), Long.toString(alert.getCount()));
  }

  static String eventType(Alert alert) {
    return "alert." + alert.getState().name().toLowerCase(Locale.ROOT);
  }

  /** The Standard Webhooks payload shape: {@code type}, {@code timestamp}, {@code data}. */
  static String body(String type, Alert alert) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type);
    body.put("timestamp", Instant.ofEpochMilli(alert.getTs()).toString());
    body.put("data", alert);
    return new String(ModelJson.toBytes(body), java.nio.charset.StandardCharsets.UTF_8);
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        commitFinished();
      } catch (RuntimeException e) {
        LOG.warn("commit on revocation failed: {}", e.toString());
      }
      for (TopicPartition tp : partitions) {
        // Deliveries already running finish; the new owner re-reads the rest (same webhook-id).
        TreeMap<Long, AtomicInteger> open = pending.remove(tp);
        if (open != null) {
          synchronized (open) {
            for (AtomicInteger left : open.values()) {
              if (left.get() > 0) {
                inFlight.decrementAndGet();
                left.set(-1_000_000);
              }
            }
          }
        }
        next.remove(tp);
        committed.remove(tp);
      }
      assigned = false;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        assigned = !consumer.assignment().isEmpty();
        return;
      }
      // Fix the start of a new group now, so a crash before the first alert cannot skip any.
      Map<TopicPartition, OffsetAndMetadata> have = consumer.committed(new HashSet<>(partitions));
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata c = have.get(tp);
        long position = consumer.position(tp);
        next.put(tp, position);
        if (c == null) {
          start.put(tp, new OffsetAndMetadata(position));
        } else {
          committed.put(tp, c.offset());
        }
      }
      if (!start.isEmpty()) {
        consumer.commitSync(start);
        start.forEach((tp, o) -> committed.put(tp, o.offset()));
      }
      assigned = true;
    }
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
