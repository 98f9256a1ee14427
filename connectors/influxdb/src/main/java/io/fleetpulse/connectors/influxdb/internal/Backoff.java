package io.fleetpulse.connectors.influxdb.internal;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How long to wait before the next try: the server's Retry-After (at most the maximum backoff),
 * else exponential backoff.
 */
final class Backoff {

  private final Duration initial;
  private final Duration max;

  Backoff(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
  }

  /** The wait before retry number {@code retry} (1-based). */
  Duration delay(int retry, Optional<String> retryAfter) {
    Optional<Duration> asked = retryAfter.flatMap(Backoff::parseRetryAfter);
    if (asked.isPresent()) {
      // Capped: a server asking for an hour must not park a sender thread, and the checkpoint
      // waiting for it, for an hour; the retry count still bounds how long it is tried.
      return asked.get().compareTo(max) > 0 ? max : asked.get();
    }
    long millis = initial.toMillis() << Math.min(retry - 1, 30);
    return Duration.ofMillis(Math.min(millis, max.toMillis()));
  }

  /** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
  static Optional<Duration> parseRetryAfter(String value) {
    String v = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }
}
