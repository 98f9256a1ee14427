package io.fleetpulse.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rule's tests from {@code rules/tests/<rule>.yaml} (in the manner of ksqlDB's test runner): for
 * each case, input rows of {@code telemetry} (and {@code devices}, {@code telemetry_agg}) and the
 * exact signals expected; an expected signal names only the fields it checks.
 *
 * <pre>
 * rule: temperature_high
 * cases:
 *   - name: a reading above 80 °C raises a signal
 *     telemetry:
 *       - {deviceId: d-1, ts: "2026-01-01T00:00:00Z", metrics: {temperature: 85.5}}
 *     expect:
 *       - {deviceId: d-1, state: ACTIVE, value: 85.5}
 * </pre>
 */
public record RuleTest(Path file, String rule, List<Case> cases) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One case: inputs by table, and the signals expected, in any order. */
  public record Case(String name, Map<String, List<JsonNode>> inputs, List<JsonNode> expect) {}

  /** Reads {@code file}; a malformed file fails naming it and what is wrong. */
  public static RuleTest read(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(file + " is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.path("rule").isTextual() || !root.path("cases").isArray()) {
      throw new IllegalArgumentException(file + ": needs 'rule: NAME' and a list 'cases'");
    }
    List<Case> cases = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      if (!c.path("name").isTextual() || !c.path("expect").isArray()) {
        throw new IllegalArgumentException(
            file + ": every case needs a 'name' and an 'expect' list (empty for none)");
      }
      Map<String, List<JsonNode>> inputs = new java.util.LinkedHashMap<>();
      for (String table : List.of("telemetry", "devices", "telemetry_agg")) {
        List<JsonNode> rows = new ArrayList<>();
        c.path(table).forEach(rows::add);
        inputs.put(table, rows);
      }
      List<JsonNode> expect = new ArrayList<>();
      c.get("expect").forEach(expect::add);
      cases.add(new Case(c.get("name").asText(), inputs, expect));
    }
    return new RuleTest(file, root.get("rule").asText(), List.copyOf(cases));
  }
}
