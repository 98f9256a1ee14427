package io.fleetpulse.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration table of a README, between {@code <!-- options:NAME -->} and {@code <!--
 * /options -->}, compared with the declarations it documents.
 */
public final class ReadmeTable {

  private ReadmeTable() {}

  /**
   * Every difference between the README's table {@code name} and {@code options}: a declared key
   * the table lacks, a key the table has that is not declared, a wrong default or description.
   * Empty when they agree.
   */
  public static List<String> differences(Path readme, String name, OptionSet options) {
    Map<String, String[]> documented = rows(readme, name);
    Map<String, String[]> declared = new LinkedHashMap<>();
    for (String line : options.markdownTable().split("\n")) {
      String[] row = row(line);
      if (row != null) {
        declared.put(row[0], row);
      }
    }
    List<String> problems = new ArrayList<>();
    declared.forEach(
        (key, row) -> {
          String[] doc = documented.get(key);
          if (doc == null) {
            problems.add("undocumented key " + key + " (declared, not in " + readme + ")");
          } else {
            if (!doc[1].equals(row[1])) {
              problems.add(
                  "wrong default for "
                      + key
                      + ": README says '"
                      + doc[1]
                      + "', code '"
                      + row[1]
                      + "'");
            }
            if (!doc[2].equals(row[2])) {
              problems.add(
                  "other description for "
                      + key
                      + ": README '"
                      + doc[2]
                      + "', code '"
                      + row[2]
                      + "'");
            }
          }
        });
    documented.keySet().stream()
        .filter(key -> !declared.containsKey(key))
        .forEach(key -> problems.add("key " + key + " is in the README but declared nowhere"));
    if (!problems.isEmpty()) {
      problems.add("the table the declarations give:\n" + options.markdownTable());
    }
    return problems;
  }

  private static Map<String, String[]> rows(Path readme, String name) {
    String text;
    try {
      text = Files.readString(readme, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String open = "<!-- options:" + name + " -->";
    int start = text.indexOf(open);
    if (start < 0) {
      throw new IllegalArgumentException(readme + " has no table marked " + open);
    }
    int end = text.indexOf("<!-- /options -->", start);
    if (end < 0) {
      throw new IllegalArgumentException(
          readme + ": " + open + " is not closed by <!-- /options -->");
    }
    Map<String, String[]> rows = new LinkedHashMap<>();
    for (String line : text.substring(start + open.length(), end).split("\n")) {
      String[] row = row(line);
      if (row != null && rows.put(row[0], row) != null) {
        rows.put(row[0] + " (twice)", row);
      }
    }
    return rows;
  }

  /** {@code | `key` | default | meaning |} → [key, default, meaning]; null for other lines. */
  private static String[] row(String line) {
    String t = line.strip();
    if (!t.startsWith("| `")) {
      return null;
    }
    String[] cells = t.substring(1, t.length() - 1).split(" \\| ", -1);
    if (cells.length != 3) {
      // A description with " | " inside would split; keep the rest together.
      String[] parts = t.substring(1, t.length() - 1).split(" \\| ", 3);
      if (parts.length < 3) {
        return null;
      }
      cells = parts;
    }
    String key = cells[0].strip();
    key = key.substring(1, key.length() - 1);
    return new String[] {key, cells[1].strip(), cells[2].strip()};
  }
}
