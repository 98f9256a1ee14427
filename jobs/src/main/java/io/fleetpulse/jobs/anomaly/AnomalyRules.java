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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The detectors' rules, read from a JSON rules file at start-up: {@code {"rules":[{"name", "kind":
 * "THRESHOLD"|"RISING"|"RAPID_CHANGE"|"STUCK_SENSOR"|"METRIC_MISSING"|"SIGNAL", ...}]}}, each
 * optionally limited to {@code deviceTypes} and with {@code escalate} steps. Every mistake fails
 * the start naming the file, the rule and the field.
 */
public record AnomalyRules(
    List<ThresholdRule> thresholds,
    List<RisingRule> rising,
    List<RapidChangeRule> rapidChanges,
    List<StuckSensorRule> stuckSensors,
    List<MetricMissingRule> metricMissing,
    Map<String, List<Escalation>> escalations)
    implements Serializable {

  /** No rules: only the offline detector and external signals. */
  public static final AnomalyRules NONE = new AnomalyRules(List.of(), List.of());

  private static final Set<String> COMMON_FIELDS =
      Set.of("name", "kind", "severity", "deviceTypes", "escalate");
  private static final Set<String> THRESHOLD_FIELDS =
      Set.of("metric", "min", "max", "clearMin", "clearMax", "for", "times", "clearFor");
  private static final Set<String> RISING_FIELDS = Set.of("metric", "count", "clearAfter");
  private static final Set<String> RAPID_CHANGE_FIELDS =
      Set.of("metric", "delta", "within", "clearAfter");
  private static final Set<String> STUCK_SENSOR_FIELDS =
      Set.of("metric", "count", "for", "clearAfter");
  private static final Set<String> METRIC_MISSING_FIELDS = Set.of("metric", "for");
  private static final String KINDS =
      "THRESHOLD, RISING, RAPID_CHANGE, STUCK_SENSOR, METRIC_MISSING or SIGNAL";

  public AnomalyRules {
    thresholds = List.copyOf(thresholds);
    rising = List.copyOf(rising);
    rapidChanges = List.copyOf(rapidChanges);
    stuckSensors = List.copyOf(stuckSensors);
    metricMissing = List.copyOf(metricMissing);
    escalations = Map.copyOf(escalations);
  }

  /** THRESHOLD and RISING rules only. */
  public AnomalyRules(List<ThresholdRule> thresholds, List<RisingRule> rising) {
    this(thresholds, rising, List.of(), List.of(), List.of(), Map.of());
  }

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
    List<RapidChangeRule> rapid = new ArrayList<>();
    List<StuckSensorRule> stuck = new ArrayList<>();
    List<MetricMissingRule> missing = new ArrayList<>();
    Map<String, List<Escalation>> escalations = new HashMap<>();
    Set<String> names = new HashSet<>();
    int index = 0;
    for (JsonNode node : root.get("rules")) {
      String where = "rules file " + source + ", rule #" + index++;
      if (!node.isObject()) {
        throw new ConfigException(where + ": is not an object");
      }
      String name = text(node, "name", where, true);
      where = "rules file " + source + ", rule '" + name + "'";
      if (!names.add(name)) {
        throw new ConfigException(where + ": the name is used twice");
      }
      String kind = text(node, "kind", where, true).toUpperCase(Locale.ROOT);
      List<String> types = deviceTypes(node, where);
      switch (kind) {
        case "THRESHOLD" -> {
          unknownFields(node, THRESHOLD_FIELDS, where);
          thresholds.add(threshold(node, name, where, types));
        }
        case "RISING" -> {
          unknownFields(node, RISING_FIELDS, where);
          rising.add(
              new RisingRule(
                  name,
                  text(node, "metric", where, true),
                  count(node, where),
                  clearAfter(node, where),
                  severity(node, where),
                  types));
        }
        case "RAPID_CHANGE" -> {
          unknownFields(node, RAPID_CHANGE_FIELDS, where);
          Double delta = number(node, "delta", where);
          if (delta == null || delta <= 0) {
            throw new ConfigException(where + ", field 'delta': needs a positive number");
          }
          rapid.add(
              new RapidChangeRule(
                  name,
                  text(node, "metric", where, true),
                  delta,
                  positive(node, "within", where, null).toMillis(),
                  clearAfter(node, where),
                  severity(node, where),
                  types));
        }
        case "STUCK_SENSOR" -> {
          unknownFields(node, STUCK_SENSOR_FIELDS, where);
          long forMs = duration(node, "for", where, Duration.ZERO).toMillis();
          long clearAfterMs = clearAfter(node, where);
          if (clearAfterMs <= forMs) {
            // A stuck run matches again only every 'for': the alert would resolve in between.
            throw new ConfigException(where + ", field 'clearAfter': must be longer than 'for'");
          }
          stuck.add(
              new StuckSensorRule(
                  name,
                  text(node, "metric", where, true),
                  count(node, where),
                  forMs,
                  clearAfterMs,
                  severity(node, where),
                  types));
        }
        case "METRIC_MISSING" -> {
          unknownFields(node, METRIC_MISSING_FIELDS, where);
          missing.add(
              new MetricMissingRule(
                  name,
                  text(node, "metric", where, false),
                  positive(node, "for", where, null).toMillis(),
                  severity(node, where),
                  types));
        }
        case "SIGNAL" -> {
          // Signals of other producers (iot.alert.signals) with this rule name: escalation only.
          unknownFields(node, Set.of(), where);
          if (!types.isEmpty()) {
            throw new ConfigException(
                where + ", field 'deviceTypes': not for SIGNAL rules (their producer decides)");
          }
        }
        default ->
            throw new ConfigException(where + ", field 'kind': '" + kind + "' is not " + KINDS);
      }
      List<Escalation> steps = escalate(node, where);
      if (!steps.isEmpty()) {
        escalations.put(name, steps);
      }
    }
    return new AnomalyRules(thresholds, rising, rapid, stuck, missing, escalations);
  }

  /** Whether there is any rule on telemetry readings (not only offline and signals). */
  public boolean watchesReadings() {
    return !thresholds.isEmpty()
        || !rising.isEmpty()
        || !rapidChanges.isEmpty()
        || !stuckSensors.isEmpty()
        || !metricMissing.isEmpty();
  }

  private static ThresholdRule threshold(
      JsonNode node, String name, String where, List<String> types) {
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
    JsonNode times = node.get("times");
    if (times != null
        && (!times.canConvertToInt() || !times.isIntegralNumber() || times.asInt() < 1)) {
      throw new ConfigException(where + ", field 'times': needs a whole number of at least 1");
    }
    return new ThresholdRule(
        name,
        text(node, "metric", where, true),
        min,
        max,
        clearMin,
        clearMax,
        duration(node, "for", where, Duration.ZERO).toMillis(),
        times == null ? 1 : times.asInt(),
        duration(node, "clearFor", where, Duration.ZERO).toMillis(),
        severity(node, where),
        types);
  }

  private static int count(JsonNode node, String where) {
    JsonNode count = node.get("count");
    if (count == null
        || !count.isIntegralNumber()
        || !count.canConvertToInt()
        || count.asInt() < 2) {
      throw new ConfigException(where + ", field 'count': needs a whole number of at least 2");
    }
    return count.asInt();
  }

  private static long clearAfter(JsonNode node, String where) {
    return positive(node, "clearAfter", where, Duration.ofMinutes(5)).toMillis();
  }

  private static Duration positive(JsonNode node, String field, String where, Duration fallback) {
    Duration value = duration(node, field, where, fallback);
    if (value == null) {
      throw new ConfigException(where + ", field '" + field + "': is missing");
    }
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(where + ", field '" + field + "': must be positive");
    }
    return value;
  }

  private static List<String> deviceTypes(JsonNode node, String where) {
    JsonNode value = node.get("deviceTypes");
    if (value == null || value.isNull()) {
      return List.of();
    }
    List<String> types = new ArrayList<>();
    if (value.isArray()) {
      for (JsonNode type : value) {
        if (!type.isTextual() || type.asText().isBlank()) {
          types = null;
          break;
        }
        types.add(type.asText());
      }
    }
    if (types == null || !value.isArray() || value.isEmpty()) {
      throw new ConfigException(
          where + ", field 'deviceTypes': needs a non-empty array of device types");
    }
    return List.copyOf(types);
  }

  private static List<Escalation> escalate(JsonNode node, String where) {
    JsonNode value = node.get("escalate");
    if (value == null || value.isNull()) {
      return List.of();
    }
    String field = where + ", field 'escalate'";
    if (!value.isArray() || value.isEmpty()) {
      throw new ConfigException(
          field + ": needs a non-empty array of {\"after\": \"10m\", \"severity\": \"CRITICAL\"}");
    }
    List<Escalation> steps = new ArrayList<>();
    int i = 0;
    for (JsonNode step : value) {
      String at = field + " #" + i++;
      if (!step.isObject()) {
        throw new ConfigException(at + ": is not an object");
      }
      unknownFields(step, Set.of("after", "severity"), Set.of(), at);
      Duration after = positive(step, "after", at, null);
      if (step.get("severity") == null) {
        throw new ConfigException(at + ", field 'severity': is missing");
      }
      steps.add(new Escalation(after.toMillis(), severity(step, at)));
    }
    steps.sort(java.util.Comparator.comparingLong(Escalation::afterMs));
    return List.copyOf(steps);
  }

  private static void unknownFields(JsonNode node, Set<String> kindFields, String where) {
    unknownFields(node, kindFields, COMMON_FIELDS, where);
  }

  private static void unknownFields(
      JsonNode node, Set<String> kindFields, Set<String> common, String where) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!kindFields.contains(field) && !common.contains(field)) {
        Set<String> allowed = new TreeSet<>(kindFields);
        allowed.addAll(common);
        throw new ConfigException(
            where + ", field '" + field + "': unknown; allowed are " + allowed);
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
