package io.fleetpulse.connectors.mqtt.internal;

/**
 * Why the bridge did not forward a message; the code (snake_case) is the {@code dlq.reason} header.
 */
public enum Rejection {
  /** The MQTT topic matches no uplink route. */
  UNMAPPED_TOPIC("unmapped_topic"),
  /** The device id taken from the topic (or the Kafka key, downlink) is not a valid id. */
  INVALID_DEVICE_ID("invalid_device_id"),
  /** A downlink shadow record's {@code shadow.name} or {@code shadow.response} is not valid. */
  INVALID_SHADOW_HEADER("invalid_shadow_header"),
  /** The payload has no bytes. */
  EMPTY_PAYLOAD("empty_payload"),
  /** The payload is larger than {@code uplink.max-payload-bytes}. */
  PAYLOAD_TOO_LARGE("payload_too_large"),
  /**
   * Kafka refused the record for good (too large for the topic, no permission, invalid record):
   * {@code dlq.detail} has the error.
   */
  KAFKA_REFUSED("kafka_refused");

  private final String code;

  Rejection(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
