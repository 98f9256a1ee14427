package io.fleetpulse.connectors.mqtt.internal;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the broker's counter of messages it dropped (Mosquitto: {@code
 * $SYS/broker/publish/messages/dropped}) and warns when it is above 0 at start or grows: a broker
 * that drops QoS 1 messages at its queue limits breaks the bridge's at-least-once promise before
 * the bridge ever sees them.
 */
public final class BrokerDrops {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerDrops.class);

  private final String topic;
  private final AtomicLong dropped = new AtomicLong(-1);

  /**
   * @param topic the counter's topic, or {@code null} when not watched
   */
  public BrokerDrops(String topic, BridgeMetrics metrics) {
    this.topic = topic == null || topic.isEmpty() ? null : topic;
    metrics.brokerDropped(dropped);
  }

  /** The topic to subscribe to, or {@code null} when not watched. */
  public String topic() {
    return topic;
  }

  /** The broker's last reported count of dropped messages, or -1 before its first report. */
  public long dropped() {
    return dropped.get();
  }

  /** Takes {@code publish} when it is the broker's counter, and says whether it was. */
  public boolean accept(Mqtt5Publish publish) {
    if (topic == null || !publish.getTopic().toString().equals(topic)) {
      return false;
    }
    String text = new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8).strip();
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      LOG.debug("{} is not a count: '{}'", topic, text);
      return true;
    }
    long before = dropped.getAndSet(value);
    if (before < 0 && value > 0) {
      LOG.warn(
          "the broker has dropped {} messages since it started ({}): QoS 1 messages beyond its"
              + " queue and in-flight limits are lost before the bridge sees them; raise"
              + " max_queued_messages (see the bridge README, Broker settings)",
          value,
          topic);
    } else if (before >= 0 && value > before) {
      LOG.warn(
          "the broker dropped {} more messages ({} since it started, {}); raise"
              + " max_queued_messages (see the bridge README, Broker settings)",
          value - before,
          value,
          topic);
    }
    return true;
  }
}
