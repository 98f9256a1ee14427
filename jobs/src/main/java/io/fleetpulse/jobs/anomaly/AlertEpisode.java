package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;

/**
 * The lifecycle state of one (device, rule, metric): the current or last episode, and the recent
 * openings that decide flapping. A Flink POJO, kept in keyed map state.
 */
public class AlertEpisode {

  private String alertId;
  private String deviceId;
  private String type;
  private String rule;
  private String metric;
  private AlertSeverity severity;
  private AlertState state;
  private long firstTs;
  private long lastTs;
  private long count;
  private Double value;
  private String message;
  private int episode;
  private long resolvedTs;
  private long lastEmittedTs;
  private Long snoozedUntil;
  private Long clearAfterMs;
  private boolean flapping;
  private long lastTransitionTs;
  private long[] opens = new long[0];
  private long openedTs;
  private int escalationLevel;
  private AlertSeverity signalSeverity;
  private boolean pendingNotification;

  public AlertEpisode() {}

  /** The alert record of the episode as it is now, in {@code state}. */
  public Alert toAlert(AlertState emitted, long ts) {
    Alert alert =
        new Alert(alertId, deviceId, type, severity, emitted, ts, metric, value, message, rule);
    alert.setCount(count);
    alert.setFirstTs(firstTs);
    alert.setLastTs(lastTs);
    alert.setEpisode(episode);
    alert.setSnoozedUntil(snoozedUntil);
    alert.setEscalation(escalationLevel > 0 ? escalationLevel : null);
    return alert;
  }

  /** Whether the episode is going on (OPEN or ACKNOWLEDGED underneath any flapping). */
  public boolean isOngoing() {
    return state != null && state != AlertState.RESOLVED;
  }

  /** Remembers an opening at {@code ts}, forgetting those older than {@code window}. */
  void recordOpen(long ts, long window) {
    int kept = 0;
    for (long open : opens) {
      if (ts - open < window) {
        kept++;
      }
    }
    long[] next = new long[kept + 1];
    int i = 0;
    for (long open : opens) {
      if (ts - open < window) {
        next[i++] = open;
      }
    }
    next[i] = ts;
    opens = next;
  }

  public String getAlertId() {
    return alertId;
  }

  public void setAlertId(String alertId) {
    this.alertId = alertId;
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getRule() {
    return rule;
  }

  public void setRule(String rule) {
    this.rule = rule;
  }

  public String getMetric() {
    return metric;
  }

  public void setMetric(String metric) {
    this.metric = metric;
  }

  public AlertSeverity getSeverity() {
    return severity;
  }

  public void setSeverity(AlertSeverity severity) {
    this.severity = severity;
  }

  /** The underlying state, OPEN, ACKNOWLEDGED or RESOLVED (FLAPPING is {@link #isFlapping}). */
  public AlertState getState() {
    return state;
  }

  public void setState(AlertState state) {
    this.state = state;
  }

  public long getFirstTs() {
    return firstTs;
  }

  public void setFirstTs(long firstTs) {
    this.firstTs = firstTs;
  }

  public long getLastTs() {
    return lastTs;
  }

  public void setLastTs(long lastTs) {
    this.lastTs = lastTs;
  }

  public long getCount() {
    return count;
  }

  public void setCount(long count) {
    this.count = count;
  }

  public Double getValue() {
    return value;
  }

  public void setValue(Double value) {
    this.value = value;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public int getEpisode() {
    return episode;
  }

  public void setEpisode(int episode) {
    this.episode = episode;
  }

  public long getResolvedTs() {
    return resolvedTs;
  }

  public void setResolvedTs(long resolvedTs) {
    this.resolvedTs = resolvedTs;
  }

  public long getLastEmittedTs() {
    return lastEmittedTs;
  }

  public void setLastEmittedTs(long lastEmittedTs) {
    this.lastEmittedTs = lastEmittedTs;
  }

  public Long getSnoozedUntil() {
    return snoozedUntil;
  }

  public void setSnoozedUntil(Long snoozedUntil) {
    this.snoozedUntil = snoozedUntil;
  }

  public Long getClearAfterMs() {
    return clearAfterMs;
  }

  public void setClearAfterMs(Long clearAfterMs) {
    this.clearAfterMs = clearAfterMs;
  }

  public boolean isFlapping() {
    return flapping;
  }

  public void setFlapping(boolean flapping) {
    this.flapping = flapping;
  }

  public long getLastTransitionTs() {
    return lastTransitionTs;
  }

  public void setLastTransitionTs(long lastTransitionTs) {
    this.lastTransitionTs = lastTransitionTs;
  }

  public long[] getOpens() {
    return opens;
  }

  public void setOpens(long[] opens) {
    this.opens = opens;
  }

  /** Device time of the latest opening (or re-opening): escalation counts from here. */
  public long getOpenedTs() {
    return openedTs;
  }

  public void setOpenedTs(long openedTs) {
    this.openedTs = openedTs;
  }

  /** How many of the rule's escalation steps have been applied in this opening. */
  public int getEscalationLevel() {
    return escalationLevel;
  }

  public void setEscalationLevel(int escalationLevel) {
    this.escalationLevel = escalationLevel;
  }

  /** The severity the signals asked for, before escalation. */
  public AlertSeverity getSignalSeverity() {
    return signalSeverity;
  }

  public void setSignalSeverity(AlertSeverity signalSeverity) {
    this.signalSeverity = signalSeverity;
  }

  /** Whether a snooze held back a record that is due when the snooze ends. */
  public boolean isPendingNotification() {
    return pendingNotification;
  }

  public void setPendingNotification(boolean pendingNotification) {
    this.pendingNotification = pendingNotification;
  }
}
