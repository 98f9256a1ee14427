package io.fleetpulse.connectors.mqtt.internal;

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

  /** Why a message was rejected: a {@link Rejection} code. */
  public static final String REJECT_REASON = "reject.reason";

  /** A human-readable explanation of the rejection. */
  public static final String REJECT_DETAIL = "reject.detail";

  /** {@code uplink} (device to Kafka) or {@code downlink} (Kafka to device). */
  public static final String DIRECTION = "bridge.direction";

  /** The payload's size in bytes before truncation (rejected oversize payloads are cut). */
  public static final String PAYLOAD_SIZE = "payload.size";

  /** The Kafka topic a rejected downlink record came from. */
  public static final String KAFKA_TOPIC = "kafka.topic";

  private BridgeHeaders() {}
}
