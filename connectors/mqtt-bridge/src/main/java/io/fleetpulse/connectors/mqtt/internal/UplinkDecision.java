package io.fleetpulse.connectors.mqtt.internal;

/**
 * Where one device message goes: to {@code kafkaTopic}, or, when {@code rejection} is set, to the
 * rejected topic.
 *
 * @param deviceId the device id from the topic; {@code null} when the topic has none
 * @param kafkaTopic the data topic, or {@code null} for a rejection
 * @param route the uplink route's MQTT filter, or {@code unmapped}
 * @param rejection why it is rejected, or {@code null}
 * @param detail a human-readable explanation of the rejection
 */
public record UplinkDecision(
    String deviceId, String kafkaTopic, String route, Rejection rejection, String detail) {

  static UplinkDecision forward(String deviceId, String kafkaTopic, String route) {
    return new UplinkDecision(deviceId, kafkaTopic, route, null, null);
  }

  static UplinkDecision reject(String deviceId, String route, Rejection why, String detail) {
    return new UplinkDecision(deviceId, null, route, why, detail);
  }

  public boolean rejected() {
    return rejection != null;
  }
}
