package io.fleetpulse.connectors.mqtt.internal;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards each device message to Kafka and acknowledges it to the broker only after Kafka
 * acknowledged the record.
 *
 * <p>At most {@code maxInflight} messages wait for Kafka at a time. When that many are out, the
 * thread handing messages over blocks until Kafka acknowledges some, the MQTT client stops reading
 * from the broker, and the broker holds further messages back: that is the bridge's backpressure,
 * and its buffer is bounded by it. (The broker's own flow control, the receive maximum, is not
 * enough: Mosquitto 2.0.11 sends more unacknowledged messages than the client allows.)
 */
public final class Uplink {

  private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);

  private final UplinkRouter router;
  private final UplinkRecords records;
  private final KafkaSender sender;
  private final BridgeMetrics metrics;
  private final AtomicInteger inflight;
  private final AtomicInteger maxInflight = new AtomicInteger();
  private final Semaphore permits;
  private volatile boolean closing;

  public Uplink(
      UplinkRouter router,
      UplinkRecords records,
      KafkaSender sender,
      BridgeMetrics metrics,
      int maxInflight) {
    this.permits = new Semaphore(maxInflight);
    this.router = router;
    this.records = records;
    this.sender = sender;
    this.metrics = metrics;
    this.inflight = metrics.inflight();
  }

  /** Forwards one device message; blocks while {@code maxInflight} messages wait for Kafka. */
  public void accept(Mqtt5Publish publish) {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      // Shutting down: left unacknowledged, so the broker delivers it again.
      Thread.currentThread().interrupt();
      return;
    }
    long receivedAt = System.currentTimeMillis();
    int now = inflight.incrementAndGet();
    if (now > maxInflight.get()) {
      maxInflight.accumulateAndGet(now, Math::max);
    }
    if (closing) {
      // Left unacknowledged on purpose: the broker delivers it again to the next session.
      released();
      return;
    }
    try {
      byte[] payload = publish.getPayloadAsBytes();
      UplinkDecision decision = router.decide(publish.getTopic().toString(), payload.length);
      metrics.messageIn(decision.route());
      ProducerRecord<byte[], byte[]> record =
          records.record(publish, payload, decision, receivedAt);
      sender.send(
          record,
          () -> acknowledged(publish, decision.rejected() ? decision.rejection() : null, record),
          error -> refused(publish, decision, record, error));
    } catch (RuntimeException e) {
      // Not forwarded and not acknowledged: the broker redelivers it after a reconnect.
      released();
      LOG.error("cannot forward message on {}", publish.getTopic(), e);
    }
  }

  /**
   * Kafka will never take {@code record}: it goes to the rejected topic instead, and when even that
   * is refused (a rejection itself, or the rejected topic refuses too) it is counted, logged and
   * acknowledged, because holding it would stop every later acknowledgement.
   */
  private void refused(
      Mqtt5Publish publish,
      UplinkDecision decision,
      ProducerRecord<byte[], byte[]> record,
      Exception error) {
    if (decision.rejected()) {
      lost(publish, record, error);
      return;
    }
    LOG.warn(
        "Kafka refused the message on {} for topic {}; it goes to the rejected topic: {}",
        publish.getTopic(),
        record.topic(),
        error.toString());
    ProducerRecord<byte[], byte[]> rejection =
        records.refused(record, error, System.currentTimeMillis());
    try {
      sender.send(
          rejection,
          () -> acknowledged(publish, Rejection.KAFKA_REFUSED, rejection),
          again -> lost(publish, rejection, again));
    } catch (RuntimeException e) {
      lost(publish, rejection, e);
    }
  }

  private void lost(Mqtt5Publish publish, ProducerRecord<byte[], byte[]> record, Exception error) {
    LOG.error(
        "message on {} LOST: Kafka refused it, and its rejection for topic {} too ({});"
            + " acknowledged so that the other messages keep flowing; size {} bytes",
        publish.getTopic(),
        record.topic(),
        error.toString(),
        record.value() == null ? 0 : record.value().length);
    metrics.rejectionLost("uplink");
    try {
      publish.acknowledge();
    } catch (RuntimeException e) {
      LOG.debug(
          "acknowledgement of a message on {} not sent: {}", publish.getTopic(), e.toString());
    }
    released();
  }

  private void acknowledged(
      Mqtt5Publish publish, Rejection rejection, ProducerRecord<byte[], byte[]> record) {
    try {
      publish.acknowledge();
    } catch (RuntimeException e) {
      // Already acknowledged, or the connection it came on is gone; the broker will redeliver.
      LOG.debug(
          "acknowledgement of a message on {} not sent: {}", publish.getTopic(), e.toString());
    }
    if (rejection != null) {
      metrics.rejected(rejection, "uplink");
    } else {
      metrics.messageOut(record.topic());
    }
    released();
  }

  private void released() {
    inflight.decrementAndGet();
    permits.release();
  }

  /** The most messages that were in flight at once since the start. */
  public int maxInflight() {
    return maxInflight.get();
  }

  /** Messages received and not yet acknowledged. */
  public int inflight() {
    return inflight.get();
  }

  /**
   * Stops taking new messages and waits up to {@code timeout} for those in flight; returns whether
   * all of them were acknowledged.
   */
  public boolean drain(Duration timeout) {
    closing = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inflight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return inflight.get() == 0;
  }
}
