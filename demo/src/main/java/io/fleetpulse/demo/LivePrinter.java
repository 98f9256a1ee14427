package io.fleetpulse.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.fleetpulse.common.DaemonThreads;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.TelemetryAggregate;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Prints aggregates and dead letters from Kafka as they arrive, one line each. */
final class LivePrinter implements AutoCloseable {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final String bootstrapServers;
  private final List<String> topics;
  private final PrintStream out;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong aggregates = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private Thread thread;

  LivePrinter(String bootstrapServers, List<String> topics, PrintStream out) {
    this.bootstrapServers = bootstrapServers;
    this.topics = topics;
    this.out = out;
  }

  LivePrinter start() {
    thread = DaemonThreads.start("live-printer", this::loop);
    return this;
  }

  long aggregates() {
    return aggregates.get();
  }

  long deadLetters() {
    return deadLetters.get();
  }

  private void loop() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-printer");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(topics);
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          print(r);
        }
      }
    }
  }

  private void print(ConsumerRecord<byte[], byte[]> r) {
    if (r.topic().equals(topics.get(0))) {
      aggregates.incrementAndGet();
      TelemetryAggregate a = ModelJson.fromBytes(r.value(), TelemetryAggregate.class);
      out.printf(
          "[window %s-%s] %-10s %-12s count=%-3d min=%-6.1f max=%-6.1f avg=%-7.2f last=%-6.1f %s%n",
          TIME.format(Instant.ofEpochMilli(a.getWindowStart())),
          TIME.format(Instant.ofEpochMilli(a.getWindowEnd())),
          a.getDeviceId(),
          a.getMetric(),
          a.getCount(),
          a.getMin(),
          a.getMax(),
          a.getAvg(),
          a.getLast(),
          a.getSite() != null ? a.getSite() : a.getStatus());
    } else {
      deadLetters.incrementAndGet();
      var reason = r.headers().lastHeader("dlq.reason");
      var detail = r.headers().lastHeader("dlq.detail");
      out.printf(
          "[dead letter] %s: %s%n",
          reason == null ? "?" : new String(reason.value(), UTF_8),
          detail == null ? "" : new String(detail.value(), UTF_8));
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    if (thread != null) {
      thread.join(5_000);
    }
  }
}
