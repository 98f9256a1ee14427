package io.fleetpulse.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * Parses and plans every rule without running it, and reports each problem as {@code
 * file:line:column: message}; one bad rule never hides the others' problems.
 */
public final class RuleValidator {

  private static final Pattern POSITION = Pattern.compile("line (\\d+), column (\\d+)");

  /** The severities the alert lifecycle knows. */
  static final List<String> SEVERITIES = List.of("INFO", "WARNING", "CRITICAL");

  private RuleValidator() {}

  /** One problem of one file. */
  public record Problem(String file, int line, int column, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ":" + column + ": " + message;
    }
  }

  /** The problems of {@code set} (empty when every rule plans). */
  public static List<Problem> validate(RuleSet set, TableBindings bindings, String stateTtl) {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    RuleEnvironment.createTables(tEnv, set, bindings, stateTtl);
    List<Problem> problems = new ArrayList<>();
    for (SqlFile rule : set.rules()) {
      Problem header = headerProblem(rule);
      if (header != null) {
        problems.add(header);
      }
      try {
        tEnv.explainSql(rule.statement());
      } catch (RuntimeException e) {
        problems.add(problem(rule, e));
      }
    }
    return problems;
  }

  private static Problem headerProblem(SqlFile rule) {
    for (String key : List.of("name", "severity", "owner", "description")) {
      if (!rule.header().containsKey(key)) {
        return new Problem(
            rule.path().toString(), 1, 1, "the header comment lacks '-- " + key + ": ...'");
      }
    }
    String severity = rule.header().get("severity");
    if (!SEVERITIES.contains(severity)) {
      return new Problem(
          rule.path().toString(),
          2,
          1,
          "severity '" + severity + "' is not one of " + SEVERITIES + " (the alerts' severities)");
    }
    return null;
  }

  private static Problem problem(SqlFile rule, Throwable e) {
    // The planner's position is in its deepest message; the statement starts at line 1 of the file.
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && POSITION.matcher(t.getMessage()).find()) {
        message = t.getMessage();
      }
    }
    Matcher m = POSITION.matcher(message == null ? "" : message);
    int line = 1;
    int column = 1;
    if (m.find()) {
      line = Integer.parseInt(m.group(1));
      column = Integer.parseInt(m.group(2));
    }
    String first = message == null ? e.toString() : message.strip().split("\n")[0];
    return new Problem(rule.path().toString(), line + leadingLines(rule), column, first);
  }

  /** Blank lines before the statement, which {@link SqlFile#statement()} strips. */
  private static int leadingLines(SqlFile rule) {
    String text = rule.text();
    int lines = 0;
    for (int i = 0; i < text.length() && Character.isWhitespace(text.charAt(i)); i++) {
      if (text.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }
}
