package io.fleetpulse.connectors.mqtt.internal;

import io.fleetpulse.model.DeviceIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decides for each device message whether it is forwarded, and to which Kafka topic. */
public final class UplinkRouter {

  static final String UNMAPPED = "unmapped";

  /** The ShadowJob's request headers. */
  static final String SHADOW_OP = "shadow.op";

  static final String SHADOW_NAME = "shadow.name";

  private final Map<TopicPattern, String> routes;
  private final int maxPayloadBytes;

  /**
   * @param routes MQTT topic pattern to Kafka topic, tried in order
   * @param maxPayloadBytes the largest payload forwarded
   */
  public UplinkRouter(Map<TopicPattern, String> routes, int maxPayloadBytes) {
    this.routes = new LinkedHashMap<>(routes);
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** The MQTT subscription filters of the routes. */
  public List<String> filters() {
    List<String> filters = new ArrayList<>();
    routes.keySet().forEach(p -> filters.add(p.filter()));
    return filters;
  }

  /** The decision for a message on {@code topic} with a payload of {@code payloadSize} bytes. */
  public UplinkDecision decide(String topic, int payloadSize) {
    for (Map.Entry<TopicPattern, String> route : routes.entrySet()) {
      String deviceId = route.getKey().deviceIdOf(topic);
      if (deviceId == null) {
        continue;
      }
      String filter = route.getKey().filter();
      String problem = DeviceIds.problem(deviceId);
      if (problem != null) {
        return UplinkDecision.reject(null, filter, Rejection.INVALID_DEVICE_ID, problem);
      }
      if (payloadSize == 0) {
        return UplinkDecision.reject(deviceId, filter, Rejection.EMPTY_PAYLOAD, "payload is empty");
      }
      if (payloadSize > maxPayloadBytes) {
        return UplinkDecision.reject(
            deviceId,
            filter,
            Rejection.PAYLOAD_TOO_LARGE,
            "payload is " + payloadSize + " bytes, the limit is " + maxPayloadBytes);
      }
      return UplinkDecision.forward(
          deviceId, route.getValue(), filter, shadowHeaders(route.getKey(), topic));
    }
    return UplinkDecision.reject(
        null, UNMAPPED, Rejection.UNMAPPED_TOPIC, "topic '" + topic + "' matches no uplink route");
  }

  /** What a shadow route tells the ShadowJob: the operation and, for a named shadow, its name. */
  private static Map<String, String> shadowHeaders(TopicPattern pattern, String topic) {
    String op = pattern.shadowOp();
    if (op == null) {
      return Map.of();
    }
    String name = pattern.shadowNameOf(topic);
    return name == null ? Map.of(SHADOW_OP, op) : Map.of(SHADOW_OP, op, SHADOW_NAME, name);
  }
}
