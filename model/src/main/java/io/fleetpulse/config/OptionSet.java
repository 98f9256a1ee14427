package io.fleetpulse.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every option a job or service reads, plus the prefixes it hands on unchecked to a library (such
 * as {@code kafka.properties.}); the source of its key check, its defaults and its README table.
 */
public final class OptionSet {

  private final Map<String, ConfigOption<?>> options;
  private final Map<String, String> prefixes;

  private OptionSet(Map<String, ConfigOption<?>> options, Map<String, String> prefixes) {
    this.options = Collections.unmodifiableMap(options);
    this.prefixes = Collections.unmodifiableMap(prefixes);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The options in declaration order. */
  public Collection<ConfigOption<?>> options() {
    return options.values();
  }

  public Set<String> keys() {
    return options.keySet();
  }

  /** Pass-through prefixes (e.g. {@code kafka.properties.}) and what each is for. */
  public Map<String, String> prefixes() {
    return prefixes;
  }

  public ConfigOption<?> option(String key) {
    return options.get(key);
  }

  /** Whether {@code key} is an option or lies under a pass-through prefix. */
  public boolean accepts(String key) {
    return options.containsKey(key) || prefixOf(key) != null;
  }

  /** The pass-through prefix {@code key} lies under, or null. */
  public String prefixOf(String key) {
    for (String prefix : prefixes.keySet()) {
      if (key.startsWith(prefix) && key.length() > prefix.length()) {
        return prefix;
      }
    }
    return null;
  }

  /**
   * The README table of these options: {@code | key | default | meaning |}, one row per option,
   * then one per prefix (key {@code `prefix*`}).
   */
  public String markdownTable() {
    StringBuilder sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
    for (ConfigOption<?> o : options.values()) {
      sb.append("| `")
          .append(o.key())
          .append("` | ")
          .append(codeOrText(o.defaultText()))
          .append(" | ")
          .append(o.description())
          .append(" |\n");
    }
    prefixes.forEach(
        (prefix, description) ->
            sb.append("| `").append(prefix).append("*` |  | ").append(description).append(" |\n"));
    return sb.toString();
  }

  private static String codeOrText(String text) {
    if (text.isEmpty()) {
      return "";
    }
    if (text.startsWith("(")) {
      return text;
    }
    return "`" + text + "`";
  }

  /** Collects options; a key declared twice is a programming error. */
  public static final class Builder {
    private final Map<String, ConfigOption<?>> options = new LinkedHashMap<>();
    private final Map<String, String> prefixes = new LinkedHashMap<>();

    private Builder() {}

    public Builder add(ConfigOption<?>... more) {
      for (ConfigOption<?> o : more) {
        Objects.requireNonNull(o, "option");
        if (options.putIfAbsent(o.key(), o) != null) {
          throw new IllegalArgumentException("option " + o.key() + " is declared twice");
        }
      }
      return this;
    }

    public Builder addAll(OptionSet other) {
      other.options().forEach(this::add);
      other.prefixes.forEach(this::prefix);
      return this;
    }

    /** Keys under {@code prefix} are handed on unchecked; {@code description} is for the README. */
    public Builder prefix(String prefix, String description) {
      if (!prefix.endsWith(".")) {
        throw new IllegalArgumentException("prefix '" + prefix + "' must end with '.'");
      }
      prefixes.put(prefix, description);
      return this;
    }

    public OptionSet build() {
      List<String> clashes = new ArrayList<>();
      for (String key : options.keySet()) {
        for (String prefix : prefixes.keySet()) {
          if (key.startsWith(prefix)) {
            clashes.add(key + " (under " + prefix + ")");
          }
        }
      }
      if (!clashes.isEmpty()) {
        throw new IllegalArgumentException("options under a pass-through prefix: " + clashes);
      }
      return new OptionSet(new LinkedHashMap<>(options), new LinkedHashMap<>(prefixes));
    }
  }
}
