package io.fleetpulse.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings of one job or service, merged from a properties file, the environment and the
 * command line, checked against the component's {@link OptionSet} and read through {@link
 * #get(ConfigOption)}.
 *
 * <p>Precedence, lowest to highest: the file named by {@code --config PATH}, environment variables
 * {@code FLEETPULSE_<KEY>} (key upper-cased, {@code .} and {@code -} as {@code _}), then {@code
 * --key value} (or {@code --key=value}) arguments. A key under a pass-through prefix can come from
 * the environment too: {@code FLEETPULSE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG} is {@code
 * kafka.properties.sasl.jaas.config} (secrets belong in the environment, not in argv). Unknown
 * keys, unknown {@code FLEETPULSE_*} variables and bad values are all reported at once, at load
 * time, so that a typo fails the start-up instead of silently falling back to a default.
 */
public final class Settings {

  /** The argument that names the properties file; it is not a setting itself. */
  public static final String CONFIG_ARG = "config";

  /** Prefix of the environment variables that carry settings. */
  public static final String ENV_PREFIX = "FLEETPULSE_";

  private final Map<String, Entry> entries;
  private final OptionSet options;

  private Settings(Map<String, Entry> entries, OptionSet options) {
    this.entries = Collections.unmodifiableMap(new HashMap<>(entries));
    this.options = options;
  }

  /**
   * Reads the settings from {@code args} (and the file they name) and {@code env}, and checks every
   * one of them against {@code options}.
   *
   * @throws ConfigException listing every unknown key, bad value and missing required option
   */
  public static Settings load(String[] args, Map<String, String> env, OptionSet options) {
    Objects.requireNonNull(args, "args");
    Objects.requireNonNull(env, "env");
    List<String> errors = new ArrayList<>();

    String configPath = null;
    Map<String, Entry> fromArgs = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg == null || !arg.startsWith("--") || arg.length() == 2) {
        throw new ConfigException(
            "unexpected argument '" + arg + "': settings are given as --key value");
      }
      String key;
      String value;
      int eq = arg.indexOf('=');
      if (eq >= 0) {
        key = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        key = arg.substring(2);
        // A following "--x" is the next setting, not a value; such a value needs --key=--x.
        if (i + 1 >= args.length || args[i + 1] == null || args[i + 1].startsWith("--")) {
          throw new ConfigException("argument --" + key + " has no value");
        }
        value = args[++i];
      }
      if (key.equals(CONFIG_ARG)) {
        if (configPath != null) {
          throw new ConfigException("argument --" + CONFIG_ARG + " is given more than once");
        }
        configPath = value;
        continue;
      }
      fromArgs.put(key, new Entry(value, "argument --" + key));
    }

    Map<String, Entry> merged = new HashMap<>();
    if (configPath != null) {
      merged.putAll(readFile(configPath));
    }
    merged.putAll(fromEnvironment(env, options, errors));
    merged.putAll(fromArgs);
    Settings settings = new Settings(merged, options);
    settings.check(errors);
    return settings;
  }

  /** Settings with exactly these values, checked like {@link #load}; for tests and embedding. */
  public static Settings of(Map<String, String> values, OptionSet options) {
    Map<String, Entry> entries = new HashMap<>();
    values.forEach((k, v) -> entries.put(k, new Entry(Objects.requireNonNull(v, k), "given")));
    Settings settings = new Settings(entries, options);
    settings.check(new ArrayList<>());
    return settings;
  }

  /** The environment variable that carries {@code key}, e.g. {@code FLEETPULSE_KAFKA_TOPIC}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Whether {@code option} is set by any source. */
  public boolean contains(ConfigOption<?> option) {
    return entries.containsKey(option.key());
  }

  /** The value of {@code option}: as given, else its default (null when it has none). */
  public <T> T get(ConfigOption<T> option) {
    requireDeclared(option);
    Entry entry = entries.get(option.key());
    if (entry == null) {
      return option.defaultValue();
    }
    return option.parse(entry.value);
  }

  /** The value of {@code option}, or {@code fallback} when unset (a default derived at start). */
  public <T> T getOrElse(ConfigOption<T> option, T fallback) {
    return contains(option) ? get(option) : fallback;
  }

  /**
   * The settings whose key starts with {@code prefix}, keyed by the rest of the key: with prefix
   * {@code kafka.properties.}, {@code kafka.properties.security.protocol} becomes {@code
   * security.protocol}.
   */
  public Map<String, String> withPrefix(String prefix) {
    if (!options.prefixes().containsKey(prefix)) {
      throw new IllegalArgumentException(prefix + " is not a declared pass-through prefix");
    }
    Map<String, String> result = new TreeMap<>();
    entries.forEach(
        (key, entry) -> {
          if (key.startsWith(prefix) && key.length() > prefix.length()) {
            result.put(key.substring(prefix.length()), entry.value);
          }
        });
    return Collections.unmodifiableMap(result);
  }

  /** Where {@code option}'s value came from, for messages: "argument --x", "the default", ... */
  public String sourceOf(ConfigOption<?> option) {
    Entry entry = entries.get(option.key());
    return entry == null ? "the default" : entry.source;
  }

  /** Lists the keys and where each came from, but not the values: those may be secrets. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Settings{");
    String separator = "";
    for (Map.Entry<String, Entry> e : new TreeMap<>(entries).entrySet()) {
      sb.append(separator).append(e.getKey()).append(" from ").append(e.getValue().source);
      separator = ", ";
    }
    return sb.append('}').toString();
  }

  private void requireDeclared(ConfigOption<?> option) {
    if (options.option(option.key()) != option) {
      throw new IllegalArgumentException(
          "option " + option.key() + " is not in this component's option set");
    }
  }

  private void check(List<String> errors) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, Entry> e : new TreeMap<>(entries).entrySet()) {
      if (!options.accepts(e.getKey())) {
        unknown.add("'" + e.getKey() + "' (" + e.getValue().source + ")");
      }
    }
    if (!unknown.isEmpty()) {
      StringBuilder message =
          new StringBuilder("unknown setting")
              .append(unknown.size() > 1 ? "s " : " ")
              .append(String.join(", ", unknown))
              .append("; known settings are ")
              .append(new TreeSet<>(options.keys()));
      if (!options.prefixes().isEmpty()) {
        message.append(", plus any key starting with one of ").append(options.prefixes().keySet());
      }
      errors.add(message.toString());
    }
    for (ConfigOption<?> option : options.options()) {
      checkValue(option, errors);
    }
    for (String prefix : options.prefixes().keySet()) {
      if (entries.containsKey(prefix.substring(0, prefix.length() - 1))) {
        errors.add("setting '" + prefix + "' needs a property name after the prefix");
      }
    }
    if (errors.size() == 1) {
      throw new ConfigException(errors.get(0));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(
          errors.size() + " problems with the settings:\n  - " + String.join("\n  - ", errors));
    }
  }

  private <T> void checkValue(ConfigOption<T> option, List<String> errors) {
    Entry entry = entries.get(option.key());
    if (entry == null) {
      if (option.isRequired()) {
        errors.add(
            "missing required setting '"
                + option.key()
                + "' (set it with --"
                + option.key()
                + ", "
                + envName(option.key())
                + " or in the --config file)");
      }
      return;
    }
    if (option.isRequired() && entry.value.isBlank()) {
      errors.add(
          "missing required setting '" + option.key() + "' (it is empty in " + entry.source + ")");
      return;
    }
    T value;
    try {
      value = option.parse(entry.value);
    } catch (IllegalArgumentException e) {
      errors.add(invalid(option, entry, "expected " + option.expected()));
      return;
    }
    String violation = option.violation(value);
    if (violation != null) {
      errors.add(invalid(option, entry, violation));
    }
  }

  private static String invalid(ConfigOption<?> option, Entry entry, String why) {
    return "setting '"
        + option.key()
        + "' has invalid value '"
        + entry.value
        + "' (from "
        + entry.source
        + "): "
        + why;
  }

  private static Map<String, Entry> fromEnvironment(
      Map<String, String> env, OptionSet options, List<String> errors) {
    Map<String, String> byEnvName = new HashMap<>();
    for (String key : options.keys()) {
      byEnvName.put(envName(key), key);
    }
    Map<String, String> prefixByEnvName = new TreeMap<>();
    for (String prefix : options.prefixes().keySet()) {
      prefixByEnvName.put(envName(prefix), prefix);
    }
    Map<String, Entry> result = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(ENV_PREFIX)) {
        continue;
      }
      String source = "environment variable " + name;
      String key = byEnvName.get(name);
      if (key == null) {
        key = underPrefix(name, prefixByEnvName);
      }
      if (key == null) {
        unknown.add(name);
      } else {
        result.put(key, new Entry(e.getValue(), source));
      }
    }
    if (!unknown.isEmpty()) {
      errors.add(
          "unknown environment variable"
              + (unknown.size() > 1 ? "s " : " ")
              + unknown
              + ": a FLEETPULSE_* variable must name a setting (e.g. "
              + envName(options.keys().isEmpty() ? "kafka.bootstrap.servers" : first(options))
              + ")");
    }
    return result;
  }

  private static String first(OptionSet options) {
    return options.keys().iterator().next();
  }

  /** FLEETPULSE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG → kafka.properties.sasl.jaas.config. */
  private static String underPrefix(String name, Map<String, String> prefixByEnvName) {
    for (Map.Entry<String, String> p : prefixByEnvName.entrySet()) {
      // envName("kafka.properties.") ends with '_'.
      if (name.startsWith(p.getKey()) && name.length() > p.getKey().length()) {
        String rest =
            name.substring(p.getKey().length()).toLowerCase(Locale.ROOT).replace('_', '.');
        return p.getValue() + rest;
      }
    }
    return null;
  }

  private static Map<String, Entry> readFile(String pathText) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(pathText), StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file '" + pathText + "' does not exist", e);
    } catch (InvalidPathException e) {
      throw new ConfigException("config file '" + pathText + "' is not a valid path", e);
    } catch (IOException | IllegalArgumentException e) {
      // IllegalArgumentException: Properties rejects a malformed unicode escape in the file.
      throw new ConfigException("cannot read config file '" + pathText + "': " + e.getMessage(), e);
    }
    Map<String, Entry> entries = new HashMap<>();
    String source = "config file " + pathText;
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      entries.put(key, new Entry(properties.getProperty(key), source));
    }
    return entries;
  }

  /** One value and where it came from, for error messages. */
  private static final class Entry {
    final String value;
    final String source;

    Entry(String value, String source) {
      this.value = value;
      this.source = source;
    }
  }
}
