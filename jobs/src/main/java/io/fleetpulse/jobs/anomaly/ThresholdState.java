package io.fleetpulse.jobs.anomaly;

/** Where one THRESHOLD rule stands for a device: since when it is breached, whether ACTIVE. */
public class ThresholdState {

  private long breachSince = -1;
  private boolean active;
  private long lastTs = Long.MIN_VALUE;
  private int breaches;
  private long clearSince = -1;

  public ThresholdState() {}

  /** Event time of the first reading of the current breach, or -1 when not breached. */
  public long getBreachSince() {
    return breachSince;
  }

  public void setBreachSince(long breachSince) {
    this.breachSince = breachSince;
  }

  public boolean isActive() {
    return active;
  }

  public void setActive(boolean active) {
    this.active = active;
  }

  /** Event time of the newest reading judged. */
  public long getLastTs() {
    return lastTs;
  }

  public void setLastTs(long lastTs) {
    this.lastTs = lastTs;
  }

  /** Breaching readings in a row in the current breach. */
  public int getBreaches() {
    return breaches;
  }

  public void setBreaches(int breaches) {
    this.breaches = breaches;
  }

  /** Event time of the first reading back inside the clear band, or -1. */
  public long getClearSince() {
    return clearSince;
  }

  public void setClearSince(long clearSince) {
    this.clearSince = clearSince;
  }
}
