package io.fleetpulse.connectors.mqtt.internal;

import java.util.List;

/**
 * An MQTT topic with one {@code {deviceId}} level, such as {@code devices/{deviceId}/telemetry}: it
 * yields the subscription filter, extracts the device id from a topic, and builds the topic of a
 * device.
 */
public final class TopicPattern {

  /** The placeholder that stands for the device id level. */
  public static final String DEVICE_ID = "{deviceId}";

  private final String pattern;
  private final String[] levels;
  private final int deviceLevel;

  private TopicPattern(String pattern, String[] levels, int deviceLevel) {
    this.pattern = pattern;
    this.levels = levels;
    this.deviceLevel = deviceLevel;
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
    for (int i = 0; i < levels.length; i++) {
      if (levels[i].equals(DEVICE_ID)) {
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
    return new TopicPattern(text, levels, deviceLevel);
  }

  /** The MQTT subscription filter: the pattern with {@code +} for the device level. */
  public String filter() {
    return topicFor("+");
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
      if (i != deviceLevel && !levels[i].equals(parts.get(i))) {
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
