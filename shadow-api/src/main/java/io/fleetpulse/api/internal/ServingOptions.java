package io.fleetpulse.api.internal;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The options of how one instance serves at scale: rate limits per key, the on-disk store of the
 * device and shadow views, and when a view counts as stuck.
 */
public final class ServingOptions {

  private static final String LIMIT_FORMAT =
      "`RATE/BURST`: requests a second and at once (e.g. `100/200`; `0` no limit)";

  public static final ConfigOption<String> RATE_READER = roleLimit(Role.READER, "100/200");
  public static final ConfigOption<String> RATE_OPERATOR = roleLimit(Role.OPERATOR, "100/200");
  public static final ConfigOption<String> RATE_ADMIN = roleLimit(Role.ADMIN, "100/200");
  public static final ConfigOption<String> RATE_KEYS =
      ConfigOption.key("ratelimit.keys")
          .stringType()
          .description(
              "limits of single keys over their role's: comma-separated `KEY_ID=RATE/BURST`, KEY_ID"
                  + " the first 12 hex characters of the key's SHA-256"
                  + ", as `sha256sum` prints it");
  public static final ConfigOption<String> STORE_DIR =
      ConfigOption.key("store.dir")
          .stringType()
          .nonBlank()
          .defaultDescribedAs(
              "(`shadow-api-store` in `fleetpulse.build.dir` when set, else `data/shadow-api`)")
          .description(
              "folder of the on-disk store (H2 MVStore) of the device and shadow views; each"
                  + " instance keeps its own file there, rebuilt from Kafka at start, removed at stop");
  public static final ConfigOption<Integer> STORE_CACHE_MB =
      ConfigOption.key("store.cache-mb")
          .intType()
          .between(1, 65_536)
          .defaultValue(64)
          .description("heap (MB) the store may use to cache its pages");
  public static final ConfigOption<Duration> VIEW_STUCK_AFTER =
      ConfigOption.key("health.view-stuck-after")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(60))
          .description(
              "a view behind its topic's end that has not advanced for this long makes `/health`"
                  + " answer 503");

  /** Every option of this class, in README order. */
  public static final List<ConfigOption<?>> ALL =
      List.of(
          RATE_READER,
          RATE_OPERATOR,
          RATE_ADMIN,
          RATE_KEYS,
          STORE_DIR,
          STORE_CACHE_MB,
          VIEW_STUCK_AFTER);

  /** The rate limits per role and key. */
  public final RateLimits rateLimits;

  /** The store's folder. */
  public final Path storeDir;

  /** The store's page cache in MB. */
  public final int storeCacheMb;

  /** How long a view may stand still behind its topic before it is unhealthy. */
  public final Duration viewStuckAfter;

  private ServingOptions(Settings s) {
    Map<Role, RateLimits.Limit> byRole = new EnumMap<>(Role.class);
    byRole.put(Role.READER, RateLimits.Limit.parse(s.get(RATE_READER)));
    byRole.put(Role.OPERATOR, RateLimits.Limit.parse(s.get(RATE_OPERATOR)));
    byRole.put(Role.ADMIN, RateLimits.Limit.parse(s.get(RATE_ADMIN)));
    Map<String, RateLimits.Limit> byKey;
    try {
      byKey = RateLimits.parseKeyLimits(s.get(RATE_KEYS));
    } catch (IllegalArgumentException e) {
      // Not through the option's check, which repeats the value: a key pasted by mistake is secret.
      throw new ConfigException("setting '" + RATE_KEYS.key() + "': " + e.getMessage(), e);
    }
    rateLimits = new RateLimits(byRole, byKey);
    String dir = s.get(STORE_DIR);
    if (dir == null) {
      String build = System.getProperty("fleetpulse.build.dir");
      storeDir = build != null ? Path.of(build, "shadow-api-store") : Path.of("data", "shadow-api");
    } else {
      storeDir = Path.of(dir);
    }
    storeCacheMb = s.get(STORE_CACHE_MB);
    viewStuckAfter = s.get(VIEW_STUCK_AFTER);
  }

  /**
   * Reads and validates the options.
   *
   * @throws ConfigException naming the bad setting
   */
  public static ServingOptions from(Settings settings) {
    return new ServingOptions(settings);
  }

  private static ConfigOption<String> roleLimit(Role role, String fallback) {
    return ConfigOption.key("ratelimit." + role.label())
        .stringType()
        .defaultValue(fallback)
        .check(v -> RateLimits.Limit.parse(v) == null ? "it must be " + LIMIT_FORMAT : null)
        .description(
            "requests per key of the role `"
                + role.label()
                + "`, "
                + LIMIT_FORMAT
                + "; over it: 429 with `Retry-After`");
  }
}
