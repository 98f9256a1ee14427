package io.fleetpulse.bench.shadow;

import io.fleetpulse.bench.telemetry.TelemetryJobBenchmark;
import io.fleetpulse.jobs.shadow.ShadowMessageSerializationSchema;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Reads a responses topic as a device would: counts {@code update/accepted} and {@code
 * update/rejected}, keeps the first and last accepted record's timestamp (the producer's send time)
 * and, for the paced {@code lat-j} requests, the time each accepted response arrived.
 */
final class ResponseWatcher implements AutoCloseable {

  private static final byte[] ACCEPTED = "update/accepted".getBytes(StandardCharsets.UTF_8);
  private static final byte[] REJECTED = "update/rejected".getBytes(StandardCharsets.UTF_8);
  private static final String LAT = "\"clientToken\":\"lat-";

  private final long[] arrivals;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long accepted;
  private volatile long rejected;
  private volatile long paced;
  private volatile long firstTimestamp = Long.MAX_VALUE;
  private volatile long lastTimestamp;

  ResponseWatcher(String bootstrap, String topic, int pacedRequests) {
    arrivals = new long[pacedRequests];
    thread =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props(bootstrap))) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(topic)) {
                  partitions.add(new TopicPartition(topic, p.partition()));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                    see(r);
                  }
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            },
            "response-watcher-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void see(ConsumerRecord<byte[], byte[]> r) {
    Header kind = r.headers().lastHeader(ShadowMessageSerializationSchema.RESPONSE_HEADER);
    if (kind == null) {
      return;
    }
    if (Arrays.equals(kind.value(), REJECTED)) {
      rejected++;
      return;
    }
    if (!Arrays.equals(kind.value(), ACCEPTED)) {
      return;
    }
    long now = System.nanoTime();
    String body = new String(r.value(), StandardCharsets.UTF_8);
    int at = body.indexOf(LAT);
    if (at >= 0) {
      int from = at + LAT.length();
      int j = Integer.parseInt(body.substring(from, body.indexOf('"', from)));
      if (arrivals[j] == 0) {
        arrivals[j] = now;
        paced++;
      }
      return;
    }
    accepted++;
    firstTimestamp = Math.min(firstTimestamp, r.timestamp());
    lastTimestamp = Math.max(lastTimestamp, r.timestamp());
  }

  long accepted() {
    return accepted;
  }

  long rejected() {
    return rejected;
  }

  long paced() {
    return paced;
  }

  /** Milliseconds between the first and the last accepted response of the pre-filled requests. */
  long acceptedSpanMillis() {
    return lastTimestamp - firstTimestamp;
  }

  long arrival(int j) {
    return arrivals[j];
  }

  Throwable failure() {
    return failure.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(30_000);
  }

  private static Properties props(String bootstrap) {
    Properties p = TelemetryJobBenchmark.consumerProperties(bootstrap);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return p;
  }
}
