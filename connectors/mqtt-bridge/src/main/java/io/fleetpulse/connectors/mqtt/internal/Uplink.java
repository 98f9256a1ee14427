package io.fleetpulse.connectors.mqtt.internal;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.reactivex.FlowableSubscriber;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards each device message to Kafka and acknowledges it to the broker only after Kafka
 * acknowledged the record.
 *
 * <p>It subscribes to the MQTT client's flow of messages with a demand of {@code maxInflight}, and
 * asks for one more each time one is done: when that many wait for Kafka, the client gets no demand
 * and keeps what the broker sends unacknowledged (the broker may send at most the receive maximum
 * of those), and the broker holds the rest. Nothing here blocks: the messages arrive on the
 * client's event loop, which must keep answering keep-alives however long Kafka is away, and {@link
 * KafkaSender} hands records to the producer on its own thread.
 */
public final class Uplink implements FlowableSubscriber<Mqtt5Publish> {

  private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);

  private final UplinkRouter router;
  private final UplinkRecords records;
  private final KafkaSender sender;
  private final BridgeMetrics metrics;
  private final AtomicInteger inflight;
  private final AtomicInteger maxInflight = new AtomicInteger();
  private final int demand;
  private final BrokerDrops brokerDrops;
  private volatile Subscription subscription;
  private volatile boolean closing;

  public Uplink(
      UplinkRouter router,
      UplinkRecords records,
      KafkaSender sender,
      BridgeMetrics metrics,
      int maxInflight,
      BrokerDrops brokerDrops) {
    this.demand = maxInflight;
    this.brokerDrops = brokerDrops;
    this.router = router;
    this.records = records;
    this.sender = sender;
    this.metrics = metrics;
    this.inflight = metrics.inflight();
  }

  @Override
  public void onSubscribe(Subscription subscription) {
    this.subscription = subscription;
    subscription.request(demand);
  }

  @Override
  public void onNext(Mqtt5Publish publish) {
    accept(publish);
  }

  @Override
  public void onError(Throwable error) {
    LOG.error("uplink flow ended", error);
  }

  @Override
  public void onComplete() {
    LOG.info("uplink flow completed");
  }

  /** Forwards one device message; never blocks. */
  public void accept(Mqtt5Publish publish) {
    if (brokerDrops.accept(publish)) {
      // The broker's own counter, not a device message.
      publish.acknowledge();
      subscription.request(1);
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
      ProducerRecord<byte[], byte[]> built = records.record(publish, payload, decision, receivedAt);
      Rejection rejection = decision.rejected() ? decision.rejection() : null;
      if (rejection == null && !records.fits(built)) {
        built = records.tooLarge(built, receivedAt);
        rejection = Rejection.PAYLOAD_TOO_LARGE;
      }
      ProducerRecord<byte[], byte[]> record = built;
      Rejection why = rejection;
      sender.send(
          record,
          () -> acknowledged(publish, why, record),
          error -> refused(publish, why != null, record, error));
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
      boolean alreadyRejection,
      ProducerRecord<byte[], byte[]> record,
      Exception error) {
    if (alreadyRejection) {
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
    subscription.request(1);
  }

  /** Ends the subscription to the client's messages. */
  public void cancel() {
    Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
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
