package io.fleetpulse.devstack.fleet;

/** Event times for tests: aligned, in the past, so windows and the future-skew check are clear. */
public final class TestTimes {

  public static final long MINUTE = 60_000L;

  private TestTimes() {}

  /** The start of the minute one hour ago: windows of whole minutes start here. */
  public static long minuteAlignedHourAgo() {
    return (System.currentTimeMillis() - 3_600_000L) / MINUTE * MINUTE;
  }
}
