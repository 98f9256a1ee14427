package io.fleetpulse.connectors.mqtt.internal;

/** Why the bridge did not forward a message; the code is the {@code reject.reason} header. */
public enum Rejection {
  /** The MQTT topic matches no uplink route. */
  UNMAPPED_TOPIC("unmapped-topic"),
  /** The device id taken from the topic (or the Kafka key, downlink) is not a valid id. */
  INVALID_DEVICE_ID("invalid-device-id"),
  /** The payload has no bytes. */
  EMPTY_PAYLOAD("empty-payload"),
  /** The payload is larger than {@code uplink.max-payload-bytes}. */
  PAYLOAD_TOO_LARGE("payload-too-large");

  private final String code;

  Rejection(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
