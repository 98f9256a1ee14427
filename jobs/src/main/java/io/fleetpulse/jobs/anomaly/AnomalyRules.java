package io.fleetpulse.jobs.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.ModelJson;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The detectors' rules, read from a JSON rules file at start-up: {@code {"rules":[{"name", "kind":
 * "THRESHOLD"|"RISING", ...}]}}. Every mistake fails the start naming the file, the rule and the
 * field.
 */
public record AnomalyRules(List<ThresholdRule> thresholds, List<RisingRule> rising)
    implements Serializable {

  /** No rules: only the offline detector and external signals. */
  public static final AnomalyRules NONE = new AnomalyRules(List.of(), List.of());

  private static final Set<String> THRESHOLD_FIELDS =
      Set.of("name", "kind", "metric", "min", "max", "clearMin", "clearMax", "for", "severity");
  private static final Set<String> RISING_FIELDS =
      Set.of("name", "kind", "metric", "count", "clearAfter", "severity");

  /** Reads and checks the rules file {@code file}. */
  public static AnomalyRules load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException("rules file " + file + ": cannot read it: " + e.getMessage());
    }
    return parse(bytes, file.toString());
  }

  /** Parses rules from JSON; {@code source} names them in errors. */
  public static AnomalyRules parse(byte[] json, String source) {
    JsonNode root;
    try {
      root = ModelJson.mapper().readTree(json);
    } catch (IOException e) {
      throw new ConfigException("rules file " + source + ": not JSON: " + e.getMessage());
    }
    if (root == null || !root.path("rules").isArray()) {
      throw new ConfigException("rules file " + source + ": needs a \"rules\" array");
    }
    List<ThresholdRule> thresholds = new ArrayList<>();
    List<RisingRule> rising = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int index = 0;
    for (JsonNode node : root.get("rules")) {
      String where = source + ", rule #" + index++;
      if (!node.isObject()) {
        throw new ConfigException(where + ": is not an object");
      }
      String name = text(node, "name", where, true);
      where = source + ", rule '" + name + "'";
      if (!names.add(name)) {
        throw new ConfigException(where + ": the name is used twice");
      }
      String kind = text(node, "kind", where, true).toUpperCase(Locale.ROOT);
      switch (kind) {
        case "THRESHOLD" -> thresholds.add(threshold(node, name, where));
        case "RISING" -> rising.add(rising(node, name, where));
        default ->
            throw new ConfigException(
                where + ", field 'kind': '" + kind + "' is not THRESHOLD or RISING");
      }
    }
    return new AnomalyRules(List.copyOf(thresholds), List.copyOf(rising));
  }

  private static ThresholdRule threshold(JsonNode node, String name, String where) {
    unknownFields(node, THRESHOLD_FIELDS, where);
    Double min = number(node, "min", where);
    Double max = number(node, "max", where);
    if (min == null && max == null) {
      throw new ConfigException(where + ": needs 'min' or 'max'");
    }
    Double clearMin = number(node, "clearMin", where);
    Double clearMax = number(node, "clearMax", where);
    if (clearMax != null && (max == null || clearMax > max)) {
      throw new ConfigException(where + ", field 'clearMax': must be at most 'max'");
    }
    if (clearMin != null && (min == null || clearMin < min)) {
      throw new ConfigException(where + ", field 'clearMin': must be at least 'min'");
    }
    Duration forDuration = duration(node, "for", where, Duration.ZERO);
    return new ThresholdRule(
        name,
        text(node, "metric", where, true),
        min,
        max,
        clearMin,
        clearMax,
        forDuration.toMillis(),
        severity(node, where));
  }

  private static RisingRule rising(JsonNode node, String name, String where) {
    unknownFields(node, RISING_FIELDS, where);
    JsonNode count = node.get("count");
    if (count == null || !count.canConvertToInt() || count.asInt() < 2) {
      throw new ConfigException(where + ", field 'count': needs a whole number of at least 2");
    }
    Duration clearAfter = duration(node, "clearAfter", where, Duration.ofMinutes(5));
    if (clearAfter.isZero() || clearAfter.isNegative()) {
      throw new ConfigException(where + ", field 'clearAfter': must be positive");
    }
    return new RisingRule(
        name,
        text(node, "metric", where, true),
        count.asInt(),
        clearAfter.toMillis(),
        severity(node, where));
  }

  private static void unknownFields(JsonNode node, Set<String> allowed, String where) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!allowed.contains(field)) {
        throw new ConfigException(
            where
                + ", field '"
                + field
                + "': unknown; allowed are "
                + new java.util.TreeSet<>(allowed));
      }
    }
  }

  private static String text(JsonNode node, String field, String where, boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new ConfigException(where + ", field '" + field + "': is missing");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new ConfigException(where + ", field '" + field + "': needs a non-empty string");
    }
    return value.asText();
  }

  private static Double number(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber()) {
      throw new ConfigException(where + ", field '" + field + "': needs a number");
    }
    return value.asDouble();
  }

  private static Duration duration(JsonNode node, String field, String where, Duration fallback) {
    String text = text(node, field, where, false);
    if (text == null) {
      return fallback;
    }
    try {
      return ConfigOption.Durations.parse(text);
    } catch (RuntimeException e) {
      throw new ConfigException(
          where + ", field '" + field + "': '" + text + "' is not a duration like 30s or 2m");
    }
  }

  private static AlertSeverity severity(JsonNode node, String where) {
    String text = text(node, "severity", where, false);
    if (text == null) {
      return AlertSeverity.WARNING;
    }
    try {
      return AlertSeverity.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          where + ", field 'severity': '" + text + "' is not INFO, WARNING or CRITICAL");
    }
  }
}
