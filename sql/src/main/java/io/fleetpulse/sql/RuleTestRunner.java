package io.fleetpulse.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs a rule over a test case's bounded input — the rule exactly as written, on the same table
 * definitions, with the tables bound to files instead of Kafka — and compares the signals.
 */
public final class RuleTestRunner {

  /** The columns of {@code alert_signals}, in order: a rule's SELECT lists them by position. */
  static final List<String> SIGNAL_COLUMNS =
      List.of(
          "signalId", "rule", "deviceId", "metric", "severity", "ts", "value", "message", "state");

  private static final Pattern INSERT =
      Pattern.compile("(?is)^(.*?)\\bINSERT\\s+INTO\\s+alert_signals\\b(.*)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RuleSet set;
  private final Path workDir;

  /** A runner for the rules of {@code set}, writing input files under {@code workDir}. */
  public RuleTestRunner(RuleSet set, Path workDir) {
    this.set = set;
    this.workDir = workDir;
  }

  /** The outcome of one case: the signals it produced, and what differs from the expected. */
  public record Outcome(String rule, String caseName, List<Map<String, Object>> got, String diff) {
    public boolean passed() {
      return diff.isEmpty();
    }
  }

  /** Runs every case of {@code test}. */
  public List<Outcome> run(RuleTest test) {
    SqlFile rule = set.rule(test.rule());
    List<Outcome> outcomes = new ArrayList<>();
    int n = 0;
    for (RuleTest.Case c : test.cases()) {
      List<Map<String, Object>> got = signals(rule, c, workDir.resolve(test.rule() + "-" + n++));
      outcomes.add(new Outcome(test.rule(), c.name(), got, diff(c.expect(), got)));
    }
    return outcomes;
  }

  private List<Map<String, Object>> signals(SqlFile rule, RuleTest.Case c, Path dir) {
    TableBindings bindings = new TableBindings();
    for (Map.Entry<String, List<JsonNode>> input : c.inputs().entrySet()) {
      bindings.with(input.getKey(), fileSource(write(dir, input.getKey(), input.getValue())));
    }
    bindings.column(
        "devices.updatedAt", "updatedMs BIGINT, updatedAt AS TO_TIMESTAMP_LTZ(updatedMs, 3)");
    bindings.with("alert_signals", Map.of("connector", "blackhole"));
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().set("parallelism.default", "1");
    RuleEnvironment.createTables(tEnv, set, bindings, "1 h");
    List<Map<String, Object>> got = new ArrayList<>();
    TableResult result = tEnv.executeSql(selectOf(rule));
    try (CloseableIterator<Row> rows = result.collect()) {
      while (rows.hasNext()) {
        Row row = rows.next();
        Map<String, Object> signal = new LinkedHashMap<>();
        for (int i = 0; i < SIGNAL_COLUMNS.size() && i < row.getArity(); i++) {
          signal.put(SIGNAL_COLUMNS.get(i), row.getField(i));
        }
        got.add(signal);
      }
    } catch (Exception e) {
      throw new IllegalStateException("rule " + rule.name() + " failed on its test input", e);
    }
    return got;
  }

  /** The rule's query without its {@code INSERT INTO alert_signals}, so its rows can be read. */
  static String selectOf(SqlFile rule) {
    Matcher m = INSERT.matcher(rule.statement());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          rule.path() + ": a rule is one 'INSERT INTO alert_signals SELECT ...'");
    }
    return m.group(1) + m.group(2);
  }

  private static Map<String, String> fileSource(Path file) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("connector", "filesystem");
    o.put("path", file.toUri().toString());
    o.put("format", "json");
    return o;
  }

  /** Writes rows as JSON lines; {@code ts}/{@code updatedAt} may be ISO-8601 in the fixture. */
  private static Path write(Path dir, String table, List<JsonNode> rows) {
    try {
      Files.createDirectories(dir.resolve(table));
      Path file = dir.resolve(table).resolve("rows.json");
      StringBuilder sb = new StringBuilder();
      for (JsonNode row : rows) {
        ObjectNode copy = row.deepCopy();
        millis(copy, "ts", "ts");
        millis(copy, "updatedAt", "updatedMs");
        millis(copy, "windowStart", "windowStart");
        millis(copy, "windowEnd", "windowEnd");
        sb.append(JSON.writeValueAsString(copy)).append('\n');
      }
      Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void millis(ObjectNode row, String from, String to) {
    JsonNode v = row.get(from);
    if (v != null && v.isTextual()) {
      row.remove(from);
      row.put(to, Instant.parse(v.asText()).toEpochMilli());
    } else if (v != null && !from.equals(to)) {
      row.remove(from);
      row.set(to, v);
    }
  }

  /**
   * Empty when {@code got} matches {@code expected} one to one (any order); else a readable diff.
   */
  static String diff(List<JsonNode> expected, List<Map<String, Object>> got) {
    List<Map<String, Object>> unmatched = new ArrayList<>(got);
    List<JsonNode> missing = new ArrayList<>();
    for (JsonNode want : expected) {
      Iterator<Map<String, Object>> it = unmatched.iterator();
      boolean found = false;
      while (it.hasNext()) {
        if (matches(want, it.next())) {
          it.remove();
          found = true;
          break;
        }
      }
      if (!found) {
        missing.add(want);
      }
    }
    if (missing.isEmpty() && unmatched.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    missing.forEach(m -> sb.append("  - expected, not produced: ").append(m).append('\n'));
    unmatched.forEach(u -> sb.append("  + produced, not expected: ").append(u).append('\n'));
    return sb.toString();
  }

  private static boolean matches(JsonNode want, Map<String, Object> got) {
    Iterator<Map.Entry<String, JsonNode>> fields = want.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      Object actual = got.get(f.getKey());
      JsonNode w = f.getValue();
      if (f.getKey().equals("ts") && w.isTextual()) {
        w = JSON.getNodeFactory().numberNode(Instant.parse(w.asText()).toEpochMilli());
      }
      if (actual == null || !sameValue(w, actual)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameValue(JsonNode want, Object actual) {
    if (want.isNumber() && actual instanceof Number) {
      return Math.abs(want.asDouble() - ((Number) actual).doubleValue()) < 1e-9;
    }
    return want.asText().equals(String.valueOf(actual));
  }
}
