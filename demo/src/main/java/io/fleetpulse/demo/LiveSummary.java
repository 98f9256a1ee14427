package io.fleetpulse.demo;

import io.fleetpulse.common.DaemonThreads;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the demo shows while it runs: alerts by severity (the latest transition of each alertId),
 * the last alert, aggregates and dead letters seen, read from Kafka as they arrive.
 */
final class LiveSummary implements AutoCloseable {

  private final String bootstrapServers;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, Alert> alerts = new HashMap<>();
  private final AtomicLong aggregates = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicLong alertRecords = new AtomicLong();
  private Alert last;
  private Thread thread;

  LiveSummary(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  LiveSummary start() {
    thread = DaemonThreads.start("demo-summary", this::loop);
    return this;
  }

  private void loop() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-summary");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(
          List.of(
              FleetTopics.ALERTS.name(),
              FleetTopics.TELEMETRY_AGG.name(),
              FleetTopics.TELEMETRY_DLQ.name()));
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(FleetTopics.ALERTS.name())) {
            alert(r.value());
          } else if (r.topic().equals(FleetTopics.TELEMETRY_AGG.name())) {
            aggregates.incrementAndGet();
          } else {
            deadLetters.incrementAndGet();
          }
        }
      }
    } catch (RuntimeException e) {
      if (running.get()) {
        throw e;
      }
    }
  }

  private synchronized void alert(byte[] value) {
    try {
      Alert a = ModelJson.fromBytes(value, Alert.class);
      alertRecords.incrementAndGet();
      alerts.put(a.getAlertId(), a);
      last = a;
    } catch (RuntimeException e) {
      deadLetters.incrementAndGet();
    }
  }

  /** Alerts not resolved, by severity. */
  synchronized Map<AlertSeverity, Integer> openBySeverity() {
    Map<AlertSeverity, Integer> open = new EnumMap<>(AlertSeverity.class);
    for (AlertSeverity s : AlertSeverity.values()) {
      open.put(s, 0);
    }
    for (Alert a : alerts.values()) {
      if (a.getState() != AlertState.RESOLVED) {
        open.merge(a.getSeverity(), 1, Integer::sum);
      }
    }
    return open;
  }

  /** Open alerts of devices that went offline. */
  synchronized int openOffline() {
    int n = 0;
    for (Alert a : alerts.values()) {
      if (a.getState() != AlertState.RESOLVED && "OFFLINE".equalsIgnoreCase(a.getType())) {
        n++;
      }
    }
    return n;
  }

  /** Distinct alerts (by alertId) seen. */
  synchronized int distinctAlerts() {
    return alerts.size();
  }

  /** The rules or types of the alerts seen, for the closing line. */
  synchronized Map<String, Integer> alertsByRule() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (Alert a : alerts.values()) {
      out.merge(a.getRule() != null ? a.getRule() : a.getType(), 1, Integer::sum);
    }
    return out;
  }

  synchronized String lastAlert() {
    if (last == null) {
      return "none yet";
    }
    return String.format(
        "%s %s %s %s: %s",
        last.getSeverity(), last.getState(), last.getDeviceId(), last.getRule(), last.getMessage());
  }

  long aggregates() {
    return aggregates.get();
  }

  long deadLetters() {
    return deadLetters.get();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    if (thread != null) {
      thread.join(5_000);
    }
  }
}
