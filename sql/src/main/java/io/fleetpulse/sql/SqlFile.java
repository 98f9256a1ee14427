package io.fleetpulse.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SQL file of the rule set: a table definition ({@code ddl/}) or a rule ({@code rules/}), its
 * statement, and the {@code -- key: value} header lines a rule starts with.
 */
public record SqlFile(Path path, String text, Map<String, String> header) {

  private static final Pattern HEADER = Pattern.compile("^--\\s*([a-z-]+):\\s*(.*?)\\s*$");

  /** Reads {@code path}. */
  public static SqlFile read(Path path) {
    try {
      return parse(path, Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** A file with this content; the header is every leading {@code -- key: value} line. */
  public static SqlFile parse(Path path, String text) {
    Map<String, String> header = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      String t = line.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (!t.startsWith("--")) {
        break;
      }
      Matcher m = HEADER.matcher(t);
      if (m.matches()) {
        header.put(m.group(1), m.group(2));
      }
    }
    return new SqlFile(path, text, Map.copyOf(header));
  }

  /** The file name without {@code .sql}: the table or rule name. */
  public String name() {
    String file = path.getFileName().toString();
    return file.endsWith(".sql") ? file.substring(0, file.length() - 4) : file;
  }

  /** The statement: the text without its final semicolon (Flink's API takes one statement). */
  public String statement() {
    String t = text.strip();
    return t.endsWith(";") ? t.substring(0, t.length() - 1) : t;
  }
}
