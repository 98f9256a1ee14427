package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An alert about one device, as written to {@code iot.alerts}.
 *
 * <p>{@code alertId} is deterministic (see {@link #idFor}) so that a replayed or re-detected
 * incident carries the same id and every consumer can deduplicate on it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Alert {

  /** ASCII unit separator: cannot occur in device ids, rule names or metric names. */
  private static final char PART_SEPARATOR = '\u001f';

  private static final int ID_HEX_CHARS = 32;

  private String alertId;
  private String deviceId;
  private String type;
  private AlertSeverity severity;
  private AlertState state;
  private long ts;
  private String metric;
  private Double value;
  private String message;
  private String rule;
  private long count;
  private long firstTs;
  private long lastTs;
  private int episode;
  private Long snoozedUntil;
  private Integer escalation;

  public Alert() {}

  public Alert(
      String alertId,
      String deviceId,
      String type,
      AlertSeverity severity,
      AlertState state,
      long ts,
      String metric,
      Double value,
      String message,
      String rule) {
    this.alertId = alertId;
    this.deviceId = deviceId;
    this.type = type;
    this.severity = severity;
    this.state = state;
    this.ts = ts;
    this.metric = metric;
    this.value = value;
    this.message = message;
    this.rule = rule;
  }

  /**
   * A deterministic alert id: the first 32 hex characters of SHA-256 over {@code parts} joined with
   * the unit separator. Pass what identifies the incident (e.g. rule, device id, window start), not
   * what changes while it lasts, so that OPEN and RESOLVED share the id. A null part counts as an
   * empty string.
   */
  public static String idFor(String... parts) {
    if (parts == null || parts.length == 0) {
      throw new IllegalArgumentException("idFor needs at least one part");
    }
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        joined.append(PART_SEPARATOR);
      }
      if (parts[i] != null) {
        joined.append(parts[i]);
      }
    }
    byte[] digest = sha256().digest(joined.toString().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest).substring(0, ID_HEX_CHARS);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform is required to provide SHA-256.
      throw new IllegalStateException("SHA-256 is not available", e);
    }
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

  /** What kind of incident, e.g. {@code threshold}, {@code offline}, {@code anomaly}. */
  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public AlertSeverity getSeverity() {
    return severity;
  }

  public void setSeverity(AlertSeverity severity) {
    this.severity = severity;
  }

  public AlertState getState() {
    return state;
  }

  public void setState(AlertState state) {
    this.state = state;
  }

  /** Event time of the incident (or of its resolution), epoch milliseconds. */
  public long getTs() {
    return ts;
  }

  public void setTs(long ts) {
    this.ts = ts;
  }

  /** The metric involved, or null when the alert is not about one metric. */
  public String getMetric() {
    return metric;
  }

  public void setMetric(String metric) {
    this.metric = metric;
  }

  /** The offending value, or null when there is none (e.g. a device went offline). */
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

  /** Name of the rule or detector that raised the alert. */
  public String getRule() {
    return rule;
  }

  public void setRule(String rule) {
    this.rule = rule;
  }

  /** How many ACTIVE signals the episode has had so far (0 on records not from the lifecycle). */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public long getCount() {
    return count;
  }

  public void setCount(long count) {
    this.count = count;
  }

  /** Event time the episode started, epoch milliseconds; part of the alertId. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public long getFirstTs() {
    return firstTs;
  }

  public void setFirstTs(long firstTs) {
    this.firstTs = firstTs;
  }

  /** Event time of the latest ACTIVE signal of the episode, epoch milliseconds. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public long getLastTs() {
    return lastTs;
  }

  public void setLastTs(long lastTs) {
    this.lastTs = lastTs;
  }

  /** The episode's number for its (device, rule, metric): 1 for the first, and so on. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public int getEpisode() {
    return episode;
  }

  public void setEpisode(int episode) {
    this.episode = episode;
  }

  /** Until when (epoch millis) notifications of this alert are snoozed, or null. */
  public Long getSnoozedUntil() {
    return snoozedUntil;
  }

  public void setSnoozedUntil(Long snoozedUntil) {
    this.snoozedUntil = snoozedUntil;
  }

  /** How many escalation steps raised the severity (null: none). */
  public Integer getEscalation() {
    return escalation;
  }

  public void setEscalation(Integer escalation) {
    this.escalation = escalation;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Alert)) {
      return false;
    }
    Alert that = (Alert) o;
    return ts == that.ts
        && count == that.count
        && firstTs == that.firstTs
        && lastTs == that.lastTs
        && episode == that.episode
        && Objects.equals(snoozedUntil, that.snoozedUntil)
        && Objects.equals(escalation, that.escalation)
        && Objects.equals(alertId, that.alertId)
        && Objects.equals(deviceId, that.deviceId)
        && Objects.equals(type, that.type)
        && severity == that.severity
        && state == that.state
        && Objects.equals(metric, that.metric)
        && Objects.equals(value, that.value)
        && Objects.equals(message, that.message)
        && Objects.equals(rule, that.rule);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        alertId, deviceId, type, severity, state, ts, metric, value, message, rule, count, firstTs);
  }

  @Override
  public String toString() {
    return "Alert{alertId="
        + alertId
        + ", deviceId="
        + deviceId
        + ", type="
        + type
        + ", severity="
        + severity
        + ", state="
        + state
        + ", ts="
        + ts
        + ", metric="
        + metric
        + ", value="
        + value
        + ", message="
        + message
        + ", rule="
        + rule
        + ", count="
        + count
        + ", firstTs="
        + firstTs
        + ", lastTs="
        + lastTs
        + ", episode="
        + episode
        + ", snoozedUntil="
        + snoozedUntil
        + '}';
  }
}
