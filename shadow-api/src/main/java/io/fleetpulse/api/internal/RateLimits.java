package io.fleetpulse.api.internal;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests per second per API key, by the key's role or set for the key itself: a token bucket per
 * key, keyed by the key's id (a prefix of its SHA-256), never by the key.
 */
public final class RateLimits {

  /** The characters of a key's SHA-256 (hex) that name it in settings, audit fields and limits. */
  public static final int KEY_ID_LENGTH = 12;

  private static final Pattern LIMIT =
      Pattern.compile("(\\d{1,9}(?:\\.\\d{1,6})?)(?:/(\\d{1,9}))?");
  private static final Pattern KEY_ID = Pattern.compile("(?:sha256:)?([0-9a-f]{12,64})");

  /** A rate and a burst; rate 0 is no limit. */
  public record Limit(double perSecond, int burst) {

    /** No limit at all. */
    public static final Limit NONE = new Limit(0, 0);

    /**
     * Parses {@code RATE[/BURST]} (requests a second; burst defaults to the rate, at least 1);
     * {@code 0} is no limit.
     *
     * @return null when the text is not such a limit
     */
    public static Limit parse(String text) {
      Matcher m = LIMIT.matcher(text.strip());
      if (!m.matches()) {
        return null;
      }
      double rate = Double.parseDouble(m.group(1));
      if (rate == 0) {
        return NONE;
      }
      int burst =
          m.group(2) != null ? Integer.parseInt(m.group(2)) : Math.max(1, (int) Math.ceil(rate));
      return burst < 1 ? null : new Limit(rate, burst);
    }

    boolean unlimited() {
      return perSecond == 0;
    }

    @Override
    public String toString() {
      return unlimited() ? "no limit" : perSecond + " requests/s (burst " + burst + ")";
    }
  }

  private final Map<Role, Limit> byRole;
  private final Map<String, Limit> byKeyId;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  public RateLimits(Map<Role, Limit> byRole, Map<String, Limit> byKeyId) {
    this.byRole = new EnumMap<>(byRole);
    this.byKeyId = Map.copyOf(byKeyId);
  }

  /**
   * Parses {@code ID=RATE[/BURST],...} where ID is the key's id (its first 12 hex SHA-256
   * characters, or more of them, optionally after {@code sha256:}).
   *
   * @throws IllegalArgumentException naming the entry by position
   */
  public static Map<String, Limit> parseKeyLimits(String text) {
    Map<String, Limit> limits = new HashMap<>();
    if (text == null) {
      return limits;
    }
    String[] entries = text.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].strip();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      Matcher id =
          KEY_ID.matcher(eq < 0 ? "" : entry.substring(0, eq).strip().toLowerCase(Locale.ROOT));
      Limit limit = eq < 0 ? null : Limit.parse(entry.substring(eq + 1));
      if (!id.matches() || limit == null) {
        throw new IllegalArgumentException(
            "entry "
                + (i + 1)
                + " is not KEY_ID=RATE[/BURST] (KEY_ID: the first 12 hex characters of the key's"
                + " SHA-256)");
      }
      limits.put(id.group(1).substring(0, KEY_ID_LENGTH), limit);
    }
    return limits;
  }

  /** The id of {@code key}: the first 12 hex characters of its SHA-256. */
  public static String keyId(String key) {
    return ApiKeys.hash(key).substring(0, KEY_ID_LENGTH);
  }

  /** The limit of a key with this id and role. */
  public Limit limitOf(String keyId, Role role) {
    Limit own = byKeyId.get(keyId);
    return own != null ? own : byRole.getOrDefault(role, Limit.NONE);
  }

  /**
   * Takes a request from the key's bucket.
   *
   * @return 0 when the request may go on, else the seconds to wait (for {@code Retry-After})
   */
  public long acquire(String keyId, Role role) {
    Limit limit = limitOf(keyId, role);
    if (limit.unlimited()) {
      return 0;
    }
    long now = System.nanoTime();
    // One bucket per configured key (the ids come from keys that authenticated), so the map is
    // bounded by the configuration.
    TokenBucket bucket =
        buckets.computeIfAbsent(keyId, k -> new TokenBucket(limit.perSecond(), limit.burst(), now));
    long waitNanos = bucket.take(now);
    return waitNanos == 0 ? 0 : Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
  }
}
