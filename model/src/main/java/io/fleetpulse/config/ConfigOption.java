package io.fleetpulse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One setting, declared once: its key, type, default and a one-line description. A component's key
 * set, its defaults and its README table all come from these declarations (Flink's {@code
 * ConfigOption} style).
 *
 * <pre>{@code
 * static final ConfigOption<Duration> WINDOW_SIZE =
 *     ConfigOption.key("window.size").durationType().positive()
 *         .defaultValue(Duration.ofMinutes(1)).description("tumbling window size");
 * }</pre>
 *
 * @param <T> the type of the value
 */
public final class ConfigOption<T> {

  private final String key;
  private final Kind kind;
  private final Class<?> enumType;
  private final T defaultValue;
  private final String defaultText;
  private final boolean required;
  private final Check<T> check;
  private final String description;

  private ConfigOption(
      String key,
      Kind kind,
      Class<?> enumType,
      T defaultValue,
      String defaultText,
      boolean required,
      Check<T> check,
      String description) {
    this.key = key;
    this.kind = kind;
    this.enumType = enumType;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.required = required;
    this.check = check;
    this.description = description;
  }

  /** Starts the declaration of the option {@code key} (dot-separated kebab-case). */
  public static KeyBuilder key(String key) {
    Objects.requireNonNull(key, "key");
    if (!key.matches("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*")) {
      throw new IllegalArgumentException(
          "option key '"
              + key
              + "' is not dot-separated kebab-case (e.g. window.allowed-lateness)");
    }
    return new KeyBuilder(key);
  }

  public String key() {
    return key;
  }

  /** The value used when the option is not set; null when it has none. */
  public T defaultValue() {
    return defaultValue;
  }

  /** Whether a value must be given. */
  public boolean isRequired() {
    return required;
  }

  public String description() {
    return description;
  }

  /** The default as a user writes it, for documentation: {@code 1m}, {@code (required)}, ... */
  public String defaultText() {
    if (defaultText != null) {
      return defaultText;
    }
    if (required) {
      return "(required)";
    }
    if (defaultValue == null) {
      return "";
    }
    return format(defaultValue);
  }

  /** What a value of this option looks like, for error messages. */
  String expected() {
    switch (kind) {
      case INT:
      case LONG:
        return "an integer";
      case BOOLEAN:
        return "true or false";
      case DURATION:
        return "a duration such as 500ms, 5s, 1m, 2h, 1d (or 0, or ISO-8601 PT5S)";
      case ENUM:
        List<String> names = new ArrayList<>();
        for (Object c : enumType.getEnumConstants()) {
          names.add(((Enum<?>) c).name());
        }
        return "one of " + names;
      default:
        return "a string";
    }
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} when it is not a value. */
  @SuppressWarnings("unchecked")
  T parse(String text) {
    String t = text.strip();
    switch (kind) {
      case INT:
        return (T) Integer.valueOf(t);
      case LONG:
        return (T) Long.valueOf(t);
      case BOOLEAN:
        if (t.equalsIgnoreCase("true")) {
          return (T) Boolean.TRUE;
        }
        if (t.equalsIgnoreCase("false")) {
          return (T) Boolean.FALSE;
        }
        throw new IllegalArgumentException(t);
      case DURATION:
        return (T) Durations.parse(t);
      case ENUM:
        String wanted = t.replace('-', '_');
        for (Object c : enumType.getEnumConstants()) {
          if (((Enum<?>) c).name().equalsIgnoreCase(wanted)) {
            return (T) c;
          }
        }
        throw new IllegalArgumentException(t);
      default:
        return (T) text;
    }
  }

  /** Why {@code value} is not allowed, or null when it is. */
  String violation(T value) {
    return check == null || value == null ? null : check.violation(value);
  }

  private String format(T value) {
    if (value instanceof Duration) {
      return Durations.format((Duration) value);
    }
    if (value instanceof Enum) {
      return ((Enum<?>) value).name();
    }
    return String.valueOf(value);
  }

  @Override
  public String toString() {
    return key;
  }

  private enum Kind {
    STRING,
    INT,
    LONG,
    BOOLEAN,
    DURATION,
    ENUM
  }

  /** A constraint on a value: returns why it is wrong, or null. */
  @FunctionalInterface
  public interface Check<T> {
    String violation(T value);
  }

  /** First step of a declaration: the key is known, the type is chosen next. */
  public static final class KeyBuilder {
    private final String key;

    private KeyBuilder(String key) {
      this.key = key;
    }

    public TypedBuilder<String> stringType() {
      return new TypedBuilder<>(key, Kind.STRING, null);
    }

    public TypedBuilder<Integer> intType() {
      return new TypedBuilder<>(key, Kind.INT, null);
    }

    public TypedBuilder<Long> longType() {
      return new TypedBuilder<>(key, Kind.LONG, null);
    }

    public TypedBuilder<Boolean> booleanType() {
      return new TypedBuilder<>(key, Kind.BOOLEAN, null);
    }

    public TypedBuilder<Duration> durationType() {
      return new TypedBuilder<>(key, Kind.DURATION, null);
    }

    public <E extends Enum<E>> TypedBuilder<E> enumType(Class<E> type) {
      return new TypedBuilder<>(key, Kind.ENUM, type);
    }
  }

  /** The type is known; constraints and the default come next, the description last. */
  public static final class TypedBuilder<T> {
    private final String key;
    private final Kind kind;
    private final Class<?> enumType;
    private T defaultValue;
    private String defaultText;
    private boolean required;
    private Check<T> check;

    private TypedBuilder(String key, Kind kind, Class<?> enumType) {
      this.key = key;
      this.kind = kind;
      this.enumType = enumType;
    }

    public TypedBuilder<T> defaultValue(T value) {
      this.defaultValue = Objects.requireNonNull(value, "defaultValue");
      return this;
    }

    /** No default: the option must be set. */
    public TypedBuilder<T> required() {
      this.required = true;
      return this;
    }

    /**
     * How the README states a default that is derived at start-up rather than fixed (e.g. "the
     * group id"); the option itself then has no fixed default.
     */
    public TypedBuilder<T> defaultDescribedAs(String text) {
      this.defaultText = Objects.requireNonNull(text, "text");
      return this;
    }

    /** Adds a constraint; the returned text says why a value is wrong. */
    public TypedBuilder<T> check(Check<T> next) {
      Check<T> previous = check;
      this.check =
          previous == null
              ? next
              : v -> {
                String first = previous.violation(v);
                return first != null ? first : next.violation(v);
              };
      return this;
    }

    /** Greater than zero (numbers and durations). */
    public TypedBuilder<T> positive() {
      return check(v -> sign(v) > 0 ? null : "it must be greater than zero");
    }

    /** Zero or more (numbers and durations). */
    public TypedBuilder<T> nonNegative() {
      return check(v -> sign(v) >= 0 ? null : "it must not be negative");
    }

    /** Within {@code [min, max]} (integers). */
    public TypedBuilder<T> between(long min, long max) {
      return check(
          v -> {
            long n = ((Number) v).longValue();
            return n >= min && n <= max ? null : "it must be between " + min + " and " + max;
          });
    }

    /** Not empty or blank (strings). */
    public TypedBuilder<T> nonBlank() {
      return check(v -> String.valueOf(v).isBlank() ? "it must not be empty" : null);
    }

    public ConfigOption<T> description(String description) {
      Objects.requireNonNull(description, "description");
      if (defaultValue != null && check != null && check.violation(defaultValue) != null) {
        throw new IllegalArgumentException(
            "the default of " + key + " breaks its own check: " + check.violation(defaultValue));
      }
      return new ConfigOption<>(
          key, kind, enumType, defaultValue, defaultText, required, check, description);
    }

    private static int sign(Object v) {
      if (v instanceof Duration) {
        Duration d = (Duration) v;
        return d.isNegative() ? -1 : d.isZero() ? 0 : 1;
      }
      if (v instanceof Number) {
        return Long.signum(((Number) v).longValue());
      }
      throw new IllegalStateException("sign of " + v.getClass());
    }
  }

  /** Parses and prints durations the one way every component accepts them. */
  public static final class Durations {
    private static final java.util.regex.Pattern WITH_UNIT =
        java.util.regex.Pattern.compile(
            "([-+]?\\d+)\\s*(ms|s|m|h|d)", java.util.regex.Pattern.CASE_INSENSITIVE);

    private Durations() {}

    /**
     * {@code 500ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d}, ISO-8601 {@code PT5S}, or
     * {@code 0}. A bare number other than 0 is refused: is {@code 30} seconds or milliseconds?
     */
    public static Duration parse(String text) {
      String t = text.strip();
      if (t.equals("0")) {
        return Duration.ZERO;
      }
      java.util.regex.Matcher m = WITH_UNIT.matcher(t);
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
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
      if (t.startsWith("P") || t.startsWith("p")) {
        try {
          return Duration.parse(t);
        } catch (java.time.format.DateTimeParseException e) {
          throw new IllegalArgumentException(t, e);
        }
      }
      throw new IllegalArgumentException(t);
    }

    /** The shortest exact form: {@code 1m}, {@code 90s}, {@code 500ms}, {@code 0}. */
    public static String format(Duration d) {
      long ms = d.toMillis();
      if (ms == 0) {
        return "0";
      }
      long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
      String[] units = {"d", "h", "m", "s"};
      for (int i = 0; i < sizes.length; i++) {
        if (ms % sizes[i] == 0) {
          return (ms / sizes[i]) + units[i];
        }
      }
      return ms + "ms";
    }
  }
}
