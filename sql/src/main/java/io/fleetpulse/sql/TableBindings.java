package io.fleetpulse.sql;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What differs per environment in the table definitions, filled in for {@code ${with:TABLE}} (the
 * connector options of a table) and {@code ${column:TABLE.COLUMN}} (a column whose source differs,
 * such as a Kafka record timestamp): never edited into the SQL itself.
 */
public final class TableBindings {

  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\$\\{(with|column):([a-zA-Z0-9_.]+)}");

  private final Map<String, Map<String, String>> options = new LinkedHashMap<>();
  private final Map<String, String> columns = new LinkedHashMap<>();

  /** Binds the connector options of {@code table}. */
  public TableBindings with(String table, Map<String, String> connectorOptions) {
    options.put(table, new LinkedHashMap<>(connectorOptions));
    return this;
  }

  /** Binds the definition of the column {@code tableDotColumn}, e.g. {@code devices.updatedAt}. */
  public TableBindings column(String tableDotColumn, String definition) {
    columns.put(tableDotColumn, definition);
    return this;
  }

  /**
   * {@code sql} with every placeholder filled in, each on the line it stood on (so that positions
   * in messages stay right).
   *
   * @throws IllegalArgumentException naming a placeholder nothing is bound to
   */
  public String fill(String sql) {
    Matcher m = PLACEHOLDER.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(2);
      String value;
      if (m.group(1).equals("with")) {
        Map<String, String> o = options.get(name);
        if (o == null) {
          throw new IllegalArgumentException("no connector options bound for table " + name);
        }
        value = render(o);
      } else {
        value = columns.get(name);
        if (value == null) {
          throw new IllegalArgumentException("no definition bound for column " + name);
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String render(Map<String, String> o) {
    StringBuilder sb = new StringBuilder();
    o.forEach(
        (k, v) -> {
          if (sb.length() > 0) {
            sb.append(", ");
          }
          sb.append(quote(k)).append(" = ").append(quote(v));
        });
    return sb.toString();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
