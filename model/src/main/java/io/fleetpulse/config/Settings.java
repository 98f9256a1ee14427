package io.fleetpulse.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one job or service, merged from a properties file, the environment and the
 * command line, and read through typed getters that fail with a message naming the setting.
 *
 * <p>Precedence, lowest to highest: the file named by {@code --config PATH}, environment variables
 * {@code FLEETPULSE_<KEY>} (key upper-cased, {@code .} and {@code -} as {@code _}), then {@code
 * --key value} (or {@code --key=value}) arguments. Unknown keys are rejected at load time so that a
 * typo fails the start-up instead of silently falling back to a default.
 */
public final class Settings {

  /** The argument that names the properties file; it is not a setting itself. */
  public static final String CONFIG_ARG = "config";

  /** Prefix of the environment variables that carry settings. */
  public static final String ENV_PREFIX = "FLEETPULSE_";

  private static final Pattern DURATION =
      Pattern.compile("([-+]?\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

  private final Map<String, Entry> entries;

  private Settings(Map<String, Entry> entries) {
    this.entries = Collections.unmodifiableMap(new HashMap<>(entries));
  }

  /**
   * Reads the settings from {@code args} (and the file they name) and {@code env}.
   *
   * @param args command-line arguments: {@code --key value}, {@code --key=value}, {@code --config
   *     PATH}
   * @param env the environment, normally {@link System#getenv()}
   * @param knownKeys the settings the program reads
   * @param passThroughPrefixes prefixes of keys handed on unchecked to a library (e.g. {@code
   *     kafka.properties.}), see {@link #withPrefix}
   * @throws ConfigException on an unknown key, an argument without a value, or an unreadable file
   */
  public static Settings load(
      String[] args,
      Map<String, String> env,
      Set<String> knownKeys,
      Set<String> passThroughPrefixes) {
    Objects.requireNonNull(args, "args");
    Objects.requireNonNull(env, "env");
    KeyRules rules = new KeyRules(knownKeys, passThroughPrefixes);

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
      String source = "argument --" + key;
      rules.check(key, source);
      fromArgs.put(key, new Entry(value, source));
    }

    Map<String, Entry> merged = new HashMap<>();
    if (configPath != null) {
      merged.putAll(readFile(configPath, rules));
    }
    for (String key : rules.knownKeys) {
      String name = envName(key);
      String value = env.get(name);
      if (value != null) {
        merged.put(key, new Entry(value, "environment variable " + name));
      }
    }
    merged.putAll(fromArgs);
    return new Settings(merged);
  }

  /** Settings with exactly these values and no key checks; meant for tests and embedding. */
  public static Settings of(Map<String, String> values) {
    Map<String, Entry> entries = new HashMap<>();
    values.forEach((k, v) -> entries.put(k, new Entry(Objects.requireNonNull(v, k), "given")));
    return new Settings(entries);
  }

  /** The environment variable that carries {@code key}, e.g. {@code FLEETPULSE_KAFKA_TOPIC}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Whether {@code key} is set by any source. */
  public boolean contains(String key) {
    return entries.containsKey(key);
  }

  /** The value of {@code key} as given, or {@code defaultValue} when unset. */
  public String string(String key, String defaultValue) {
    Entry entry = entries.get(key);
    return entry == null ? defaultValue : entry.value;
  }

  /** The value of {@code key}; unset or blank is an error. */
  public String requiredString(String key) {
    Entry entry = entries.get(key);
    if (entry == null) {
      throw new ConfigException(
          "missing required setting '"
              + key
              + "' (set it with --"
              + key
              + ", "
              + envName(key)
              + " or in the --config file)");
    }
    if (entry.value.isBlank()) {
      throw new ConfigException(
          "missing required setting '" + key + "' (it is empty in " + entry.source + ")");
    }
    return entry.value;
  }

  /** The value of {@code key} as an {@code int}. */
  public int intValue(String key, int defaultValue) {
    return typed(key, defaultValue, "an integer", Integer::parseInt);
  }

  /** The value of {@code key} as an {@code int} greater than zero. */
  public int positiveInt(String key, int defaultValue) {
    int value = intValue(key, defaultValue);
    if (value <= 0) {
      throw notPositive(key, Integer.toString(value));
    }
    return value;
  }

  /** The value of {@code key} as a {@code long}. */
  public long longValue(String key, long defaultValue) {
    return typed(key, defaultValue, "an integer", Long::parseLong);
  }

  /** The value of {@code key} as a boolean; only {@code true} and {@code false} are accepted. */
  public boolean bool(String key, boolean defaultValue) {
    return typed(key, defaultValue, "true or false", Settings::parseBoolean);
  }

  /**
   * The value of {@code key} as a duration: a number with a unit {@code ms}, {@code s}, {@code m},
   * {@code h} or {@code d} (e.g. {@code 500ms}, {@code 5s}, {@code 1m}), a plain number of
   * milliseconds, or ISO-8601 ({@code PT5S}).
   */
  public Duration duration(String key, Duration defaultValue) {
    return typed(
        key,
        defaultValue,
        "a duration such as 500ms, 5s, 1m, 2h, 1d or milliseconds",
        Settings::parseDuration);
  }

  /** The value of {@code key} as a duration longer than zero; see {@link #duration}. */
  public Duration positiveDuration(String key, Duration defaultValue) {
    Duration value = duration(key, defaultValue);
    if (value == null || value.isZero() || value.isNegative()) {
      throw notPositive(key, String.valueOf(value));
    }
    return value;
  }

  /**
   * The value of {@code key} as a constant of {@code type}, matched ignoring case and with {@code
   * -} standing for {@code _} (so {@code exactly-once} selects {@code EXACTLY_ONCE}).
   */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return defaultValue;
    }
    String wanted = entry.value.strip().replace('-', '_');
    E[] constants = type.getEnumConstants();
    for (E constant : constants) {
      if (constant.name().equalsIgnoreCase(wanted)) {
        return constant;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : constants) {
      allowed.add(constant.name());
    }
    throw invalid(key, entry, "one of " + allowed);
  }

  /**
   * The settings whose key starts with {@code prefix}, keyed by the rest of the key: with prefix
   * {@code kafka.properties.}, {@code kafka.properties.security.protocol} becomes {@code
   * security.protocol}.
   */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> result = new TreeMap<>();
    entries.forEach(
        (key, entry) -> {
          if (key.startsWith(prefix) && key.length() > prefix.length()) {
            result.put(key.substring(prefix.length()), entry.value);
          }
        });
    return Collections.unmodifiableMap(result);
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

  private <T> T typed(String key, T defaultValue, String expected, Function<String, T> parser) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return defaultValue;
    }
    try {
      return parser.apply(entry.value.strip());
    } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
      throw invalid(key, entry, expected);
    }
  }

  private ConfigException invalid(String key, Entry entry, String expected) {
    return new ConfigException(
        "setting '"
            + key
            + "' has invalid value '"
            + entry.value
            + "' (from "
            + entry.source
            + "): expected "
            + expected);
  }

  private ConfigException notPositive(String key, String value) {
    Entry entry = entries.get(key);
    String source = entry == null ? "the default" : entry.source;
    return new ConfigException(
        "setting '"
            + key
            + "' has invalid value '"
            + value
            + "' (from "
            + source
            + "): it must be greater than zero");
  }

  private static Boolean parseBoolean(String text) {
    if (text.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if (text.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    throw new IllegalArgumentException(text);
  }

  private static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
      switch (unit) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        default:
          return Duration.ofDays(amount);
      }
    }
    if (text.startsWith("P") || text.startsWith("p")) {
      return Duration.parse(text);
    }
    throw new IllegalArgumentException(text);
  }

  private static Map<String, Entry> readFile(String pathText, KeyRules rules) {
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
      rules.check(key, source);
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

  /** Which keys a program accepts. */
  private static final class KeyRules {
    final Set<String> knownKeys;
    final Set<String> prefixes;

    KeyRules(Set<String> knownKeys, Set<String> prefixes) {
      // Sorted so that the environment is read and errors are listed in a stable order.
      this.knownKeys = new TreeSet<>(Objects.requireNonNull(knownKeys, "knownKeys"));
      this.prefixes = new TreeSet<>(Objects.requireNonNull(prefixes, "passThroughPrefixes"));
    }

    void check(String key, String source) {
      if (knownKeys.contains(key)) {
        return;
      }
      for (String prefix : prefixes) {
        if (key.startsWith(prefix) && key.length() > prefix.length()) {
          return;
        }
      }
      StringBuilder message =
          new StringBuilder("unknown setting '")
              .append(key)
              .append("' in ")
              .append(source)
              .append("; known settings are ")
              .append(knownKeys);
      if (!prefixes.isEmpty()) {
        message.append(", plus any key starting with one of ").append(prefixes);
      }
      throw new ConfigException(message.toString());
    }
  }
}
