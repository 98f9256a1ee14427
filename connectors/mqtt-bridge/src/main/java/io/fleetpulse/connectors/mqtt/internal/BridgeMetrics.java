package io.fleetpulse.connectors.mqtt.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The bridge's Prometheus metrics; meters are looked up once and cached for the hot path. */
public final class BridgeMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Counter> in = new ConcurrentHashMap<>();
  private final Map<String, Counter> out = new ConcurrentHashMap<>();
  private final Timer kafkaSend;
  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicInteger mqttConnected = new AtomicInteger();

  public BridgeMetrics() {
    kafkaSend =
        Timer.builder("fleetpulse.bridge.kafka.send")
            .description("Time from handing a record to Kafka until Kafka acknowledged it")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    Gauge.builder("fleetpulse.bridge.inflight", inflight, AtomicInteger::get)
        .description("Device messages received and not yet acknowledged to the broker")
        .register(registry);
    Gauge.builder("fleetpulse.bridge.mqtt.connected", mqttConnected, AtomicInteger::get)
        .description("1 while the bridge is connected to the MQTT broker")
        .register(registry);
  }

  /** A device message arrived on {@code route} (an MQTT filter, or {@code unmapped}). */
  public void messageIn(String route) {
    cached(in, route, "fleetpulse.bridge.messages.in", "route").increment();
  }

  /** A device message was written to Kafka topic {@code topic} and acknowledged. */
  public void messageOut(String topic) {
    cached(out, topic, "fleetpulse.bridge.messages.out", "topic").increment();
  }

  /** A message was rejected for {@code reason} in {@code direction} (uplink or downlink). */
  public void rejected(Rejection reason, String direction) {
    counter(
            "rej|" + reason + "|" + direction,
            () ->
                Counter.builder("fleetpulse.bridge.rejected")
                    .tag("reason", reason.code())
                    .tag("direction", direction)
                    .register(registry))
        .increment();
  }

  /** A Kafka record was handed back to the producer after a failed attempt. */
  public void kafkaRetry(String error) {
    counter("retry|" + error, () -> counterOf("fleetpulse.bridge.kafka.retries", "error", error))
        .increment();
  }

  /** Kafka refused a record for good with {@code error} (not retried). */
  public void kafkaRefused(String error) {
    counter("refused|" + error, () -> counterOf("fleetpulse.bridge.kafka.refused", "error", error))
        .increment();
  }

  /**
   * A message that could not be written was not written to the rejected topic either, and was
   * acknowledged regardless (it is in the log).
   */
  public void rejectionLost(String direction) {
    counter(
            "lost|" + direction,
            () -> counterOf("fleetpulse.bridge.rejections.lost", "direction", direction))
        .increment();
  }

  /** A record from Kafka topic {@code topic} was read for delivery to a device. */
  public void downlinkIn(String topic) {
    counter("din|" + topic, () -> counterOf("fleetpulse.bridge.downlink.in", "topic", topic))
        .increment();
  }

  /** The broker acknowledged a message to a device that came from Kafka topic {@code topic}. */
  public void downlinkOut(String topic) {
    counter("dout|" + topic, () -> counterOf("fleetpulse.bridge.downlink.out", "topic", topic))
        .increment();
  }

  /** The MQTT connection came back after it was lost. */
  public void reconnected() {
    counter("reconnects", () -> counterOf("fleetpulse.bridge.mqtt.reconnects", null, null))
        .increment();
  }

  public void kafkaSendTook(long nanos) {
    kafkaSend.record(nanos, TimeUnit.NANOSECONDS);
  }

  public AtomicInteger inflight() {
    return inflight;
  }

  /** Registers the broker's reported count of dropped messages (-1 before its first report). */
  public void brokerDropped(AtomicLong dropped) {
    Gauge.builder("fleetpulse.bridge.broker.dropped.messages", dropped, AtomicLong::get)
        .description("Messages the broker reports it dropped since it started; -1 before it did")
        .register(registry);
  }

  public void mqttConnected(boolean connected) {
    mqttConnected.set(connected ? 1 : 0);
  }

  /** The metrics in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  // Per-message counters are looked up by their tag value alone: no key string built per message.
  private Counter cached(Map<String, Counter> byTag, String value, String name, String tag) {
    Counter counter = byTag.get(value);
    return counter != null ? counter : byTag.computeIfAbsent(value, v -> counterOf(name, tag, v));
  }

  private Counter counter(String key, Supplier<Counter> create) {
    Counter counter = counters.get(key);
    return counter != null ? counter : counters.computeIfAbsent(key, k -> create.get());
  }

  private Counter counterOf(String name, String tag, String value) {
    Counter.Builder builder = Counter.builder(name);
    if (tag != null) {
      builder.tag(tag, value);
    }
    return builder.register(registry);
  }
}
