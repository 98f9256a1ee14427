package io.fleetpulse.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The table definitions ({@code ddl/*.sql}) and rules ({@code rules/*.sql}) of one folder. */
public record RuleSet(List<SqlFile> tables, List<SqlFile> rules) {

  /** Reads {@code dir}/ddl and {@code dir}/rules, files in name order. */
  public static RuleSet load(Path dir) {
    return new RuleSet(files(dir.resolve("ddl")), files(dir.resolve("rules")));
  }

  /** The rules named in {@code names} (all when empty); an unknown name is an error. */
  public RuleSet only(List<String> names) {
    if (names.isEmpty()) {
      return this;
    }
    List<SqlFile> chosen = new ArrayList<>();
    for (String name : names) {
      chosen.add(rule(name));
    }
    return new RuleSet(tables, List.copyOf(chosen));
  }

  /** The rule {@code name}. */
  public SqlFile rule(String name) {
    for (SqlFile r : rules) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    List<String> known = rules.stream().map(SqlFile::name).toList();
    throw new IllegalArgumentException("no rule '" + name + "'; the rules are " + known);
  }

  /**
   * One script of every table and rule with {@code bindings} filled in, in the order they run: what
   * {@code sql-client.sh -f} takes (rules grouped in one {@code EXECUTE STATEMENT SET}).
   */
  public String render(TableBindings bindings, List<String> settings) {
    StringBuilder sb = new StringBuilder();
    for (String setting : settings) {
      sb.append(setting).append(";\n");
    }
    for (SqlFile t : tables) {
      sb.append("\n-- ").append(t.path().getFileName()).append('\n');
      sb.append(bindings.fill(t.statement())).append(";\n");
    }
    sb.append("\nEXECUTE STATEMENT SET\nBEGIN\n");
    for (SqlFile r : rules) {
      sb.append("\n-- ").append(r.path().getFileName()).append('\n');
      sb.append(r.statement()).append(";\n");
    }
    return sb.append("\nEND;\n").toString();
  }

  private static List<SqlFile> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          dir + " is not a folder (sql.dir must hold ddl/ and rules/)");
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".sql")).sorted().map(SqlFile::read).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
