package io.fleetpulse.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.TableEnvironment;

/** Creates the rules' tables in a table environment, as the job, the validator and tests do. */
public final class RuleEnvironment {

  private RuleEnvironment() {}

  /** The session settings every rule runs with. */
  public static Map<String, String> settings(String stateTtl) {
    Map<String, String> settings = new LinkedHashMap<>();
    // Rules without a window or WITHIN would keep state per key forever: bound it.
    settings.put("table.exec.state.ttl", stateTtl);
    settings.put("table.local-time-zone", "UTC");
    return settings;
  }

  /** {@link #settings} as the SQL client's {@code SET} statements. */
  public static List<String> setStatements(String stateTtl) {
    List<String> sets = new ArrayList<>();
    settings(stateTtl).forEach((k, v) -> sets.add("SET '" + k + "' = '" + v + "'"));
    return sets;
  }

  /** Applies the settings and runs every table definition of {@code set} in {@code tEnv}. */
  public static void createTables(
      TableEnvironment tEnv, RuleSet set, TableBindings bindings, String stateTtl) {
    settings(stateTtl).forEach((k, v) -> tEnv.getConfig().getConfiguration().setString(k, v));
    for (SqlFile table : set.tables()) {
      try {
        tEnv.executeSql(bindings.fill(table.statement()));
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            table.path() + ": the table definition is wrong: " + e.getMessage(), e);
      }
    }
  }
}
