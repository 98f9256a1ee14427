package io.fleetpulse.devstack.fleet;

import io.fleetpulse.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Feeds a simulated fleet's telemetry into Kafka in real time: every device reports once per
 * interval, and now and then a device sends a malformed message, as real fleets do.
 */
public final class FleetFeeder implements AutoCloseable {

  private final SimulatedFleet fleet;
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();

  public FleetFeeder(SimulatedFleet fleet, KafkaProducer<byte[], byte[]> producer, String topic) {
    this.fleet = fleet;
    this.producer = producer;
    this.topic = topic;
  }

  /** Starts reporting every {@code interval}; returns at once. */
  public FleetFeeder start(Duration interval) {
    timer.scheduleAtFixedRate(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Records sent so far. */
  public long sent() {
    return sent.get();
  }

  private void tick() {
    long n = seq.getAndIncrement();
    long now = System.currentTimeMillis();
    List<String> ids = fleet.deviceIds();
    for (int d = 0; d < ids.size(); d++) {
      Telemetry t = fleet.reading(d, now, n);
      producer.send(SimulatedFleet.toRecord(topic, t));
      sent.incrementAndGet();
    }
    if (n % 10 == 5) {
      byte[] key = ids.get(0).getBytes(StandardCharsets.UTF_8);
      byte[] broken =
          ("{\"deviceId\":\""
                  + ids.get(0)
                  + "\",\"ts\":"
                  + now
                  + ",\"metrics\":{\"temperature\":\"hot\"}}")
              .getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(topic, key, broken));
      sent.incrementAndGet();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    producer.flush();
  }
}
