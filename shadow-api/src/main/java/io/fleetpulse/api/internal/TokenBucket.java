package io.fleetpulse.api.internal;

/**
 * A token bucket: holds up to {@code burst} tokens, refilled at {@code perSecond}; a request takes
 * one. Time comes in as nanoseconds so that tests and callers share one clock.
 */
final class TokenBucket {

  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last;

  TokenBucket(double perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /**
   * Takes a token if there is one.
   *
   * @return 0 when taken, else the nanoseconds until one is there (nothing is taken then)
   */
  synchronized long take(long nowNanos) {
    if (nowNanos > last) {
      tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
  }
}
