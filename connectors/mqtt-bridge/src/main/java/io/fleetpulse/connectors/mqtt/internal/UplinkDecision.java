package io.fleetpulse.connectors.mqtt.internal;

import java.util.Map;

/**
 * Where one device message goes: to {@code kafkaTopic}, or, when {@code rejection} is set, to the
 * rejected topic.
 *
 * @param deviceId the device id from the topic; {@code null} when the topic has none
 * @param kafkaTopic the data topic, or {@code null} for a rejection
 * @param route the uplink route's MQTT filter, or {@code unmapped}
 * @param rejection why it is rejected, or {@code null}
 * @param detail a human-readable explanation of the rejection
 * @param headers Kafka headers the route adds ({@code shadow.op}, {@code shadow.name})
 */
public record UplinkDecision(
    String deviceId,
    String kafkaTopic,
    String route,
    Rejection rejection,
    String detail,
    Map<String, String> headers) {

  static UplinkDecision forward(String deviceId, String kafkaTopic, String route) {
    return forward(deviceId, kafkaTopic, route, Map.of());
  }

  static UplinkDecision forward(
      String deviceId, String kafkaTopic, String route, Map<String, String> headers) {
    return new UplinkDecision(deviceId, kafkaTopic, route, null, null, headers);
  }

  static UplinkDecision reject(String deviceId, String route, Rejection why, String detail) {
    return new UplinkDecision(deviceId, null, route, why, detail, Map.of());
  }

  public boolean rejected() {
    return rejection != null;
  }
}
