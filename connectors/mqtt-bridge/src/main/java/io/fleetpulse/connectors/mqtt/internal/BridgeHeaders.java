package io.fleetpulse.connectors.mqtt.internal;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.model.DeadLetterHeaders;
import org.apache.kafka.common.header.Headers;

/** Names of the Kafka headers the bridge writes. */
public final class BridgeHeaders {

  /** The MQTT topic the message was published to. */
  public static final String MQTT_TOPIC = "mqtt.topic";

  /** The QoS the message was delivered to the bridge with: {@code 0}, {@code 1} or {@code 2}. */
  public static final String MQTT_QOS = "mqtt.qos";

  /** When the bridge received the message, epoch milliseconds as decimal text. */
  public static final String RECEIVED_AT = "received.at";

  /** The publisher's client id, when an MQTT 5 publisher sent it as user property client.id. */
  public static final String CLIENT_ID = "client.id";

  /** {@code uplink} (device to Kafka) or {@code downlink} (Kafka to device). */
  public static final String DIRECTION = "bridge.direction";

  /** The payload's size in bytes before truncation (rejected oversize payloads are cut). */
  public static final String PAYLOAD_SIZE = "payload.size";

  /** The {@code dlq.stage} of everything the bridge rejects. */
  public static final String STAGE = "mqtt-bridge";

  private BridgeHeaders() {}

  /**
   * Adds the rejection headers of the one FleetPulse scheme ({@link DeadLetterHeaders}) plus the
   * bridge's direction.
   */
  public static void addRejection(
      Headers headers, Rejection rejection, String detail, String direction, long failedAt) {
    headers.add(DeadLetterHeaders.REASON, Utf8.bytes(rejection.code()));
    headers.add(DeadLetterHeaders.DETAIL, Utf8.bytes(detail));
    headers.add(DeadLetterHeaders.STAGE, Utf8.bytes(STAGE));
    headers.add(DeadLetterHeaders.FAILED_AT, Utf8.bytes(Long.toString(failedAt)));
    headers.add(DIRECTION, Utf8.bytes(direction));
  }
}
