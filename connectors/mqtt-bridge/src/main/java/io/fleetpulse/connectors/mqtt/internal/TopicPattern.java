package io.fleetpulse.connectors.mqtt.internal;

import java.util.List;

/**
 * An MQTT topic with one {@code {deviceId}} level, such as {@code devices/{deviceId}/telemetry}: it
 * yields the subscription filter, extracts the device id from a topic, and builds the topic of a
 * device. Shadow routes may also have a {@code {shadowName}} level (uplink: the named shadow's
 * name, written to the {@code shadow.name} header) or a {@code {shadowResponse}} tail (downlink:
 * the record's {@code shadow.response} header, e.g. {@code update/accepted}).
 */
public final class TopicPattern {

  /** The placeholder that stands for the device id level. */
  public static final String DEVICE_ID = "{deviceId}";

  /** The placeholder of a named shadow's name level. */
  public static final String SHADOW_NAME = "{shadowName}";

  /** The placeholder of a shadow response's kind ({@code update/accepted}, ...). */
  public static final String SHADOW_RESPONSE = "{shadowResponse}";

  /** The shadow operations a route ending in one of them carries as {@code shadow.op}. */
  private static final List<String> SHADOW_OPS = List.of("update", "get", "delete");

  private final String pattern;
  private final String[] levels;
  private final int deviceLevel;
  private final int nameLevel;

  private TopicPattern(String pattern, String[] levels, int deviceLevel, int nameLevel) {
    this.pattern = pattern;
    this.levels = levels;
    this.deviceLevel = deviceLevel;
    this.nameLevel = nameLevel;
  }

  /**
   * Parses a pattern; it must have exactly one {@code {deviceId}} level and no wildcards.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static TopicPattern parse(String pattern) {
    String text = pattern.strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("topic pattern is empty");
    }
    if (text.contains("+") || text.contains("#")) {
      throw new IllegalArgumentException(
          "topic pattern '"
              + text
              + "' has a wildcard; use "
              + DEVICE_ID
              + " for the device level");
    }
    String[] levels = text.split("/", -1);
    int deviceLevel = -1;
    int nameLevel = -1;
    for (int i = 0; i < levels.length; i++) {
      if (levels[i].equals(SHADOW_NAME) && nameLevel < 0) {
        nameLevel = i;
      } else if (levels[i].equals(SHADOW_RESPONSE) && i == levels.length - 1) {
        continue;
      } else if (levels[i].equals(DEVICE_ID)) {
        if (deviceLevel >= 0) {
          throw new IllegalArgumentException(
              "topic pattern '" + text + "' has more than one " + DEVICE_ID + " level");
        }
        deviceLevel = i;
      } else if (levels[i].contains("{") || levels[i].contains("}")) {
        throw new IllegalArgumentException(
            "topic pattern '" + text + "' has an unknown placeholder in level '" + levels[i] + "'");
      }
    }
    if (deviceLevel < 0) {
      throw new IllegalArgumentException(
          "topic pattern '" + text + "' has no " + DEVICE_ID + " level");
    }
    return new TopicPattern(text, levels, deviceLevel, nameLevel);
  }

  /** The MQTT subscription filter: the pattern with {@code +} for the device and name levels. */
  public String filter() {
    return topicFor("+").replace(SHADOW_NAME, "+");
  }

  /** The name level of {@code topic} (which matches), or {@code null} without a name level. */
  public String shadowNameOf(String topic) {
    return nameLevel < 0 ? null : topic.split("/", -1)[nameLevel];
  }

  /**
   * The {@code shadow.op} of a shadow route ({@code .../shadow/.../update|get|delete}), or {@code
   * null} for other routes.
   */
  public String shadowOp() {
    String last = levels[levels.length - 1];
    return List.of(levels).contains("shadow") && SHADOW_OPS.contains(last) ? last : null;
  }

  /** Whether this is a downlink pattern ending in {@code {shadowResponse}}. */
  public boolean hasShadowResponse() {
    return levels[levels.length - 1].equals(SHADOW_RESPONSE);
  }

  /**
   * The topic of {@code deviceId}'s shadow {@code shadowName} ({@code null}: the classic one):
   * {@code /name/{shadowName}} follows the pattern's {@code shadow} level, as in AWS's topics;
   * {@code response} fills {@code {shadowResponse}}. The caller checked both values.
   */
  public String shadowTopicFor(String deviceId, String shadowName, String response) {
    StringBuilder topic = new StringBuilder();
    boolean named = false;
    for (int i = 0; i < levels.length; i++) {
      String level =
          i == deviceLevel ? deviceId : levels[i].equals(SHADOW_RESPONSE) ? response : levels[i];
      topic.append(i == 0 ? "" : "/").append(level);
      if (shadowName != null && !named && levels[i].equals("shadow")) {
        topic.append("/name/").append(shadowName);
        named = true;
      }
    }
    return topic.toString();
  }

  /** The topic of {@code deviceId}. */
  public String topicFor(String deviceId) {
    return pattern.replace(DEVICE_ID, deviceId);
  }

  /** The device id level of {@code topic}, or {@code null} when the topic does not match. */
  public String deviceIdOf(String topic) {
    List<String> parts = List.of(topic.split("/", -1));
    if (parts.size() != levels.length) {
      return null;
    }
    for (int i = 0; i < levels.length; i++) {
      if (i != deviceLevel && i != nameLevel && !levels[i].equals(parts.get(i))) {
        return null;
      }
    }
    return parts.get(deviceLevel);
  }

  @Override
  public String toString() {
    return pattern;
  }
}
