package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Objects;

/**
 * What a detector says about one device: a rule's condition is {@code ACTIVE} or {@code CLEAR}.
 * Detectors of the AnomalyJob, and other producers through {@code iot.alert.signals}, emit them;
 * the alert lifecycle turns them into {@link Alert}s.
 *
 * <p>Contract: {@code {rule, deviceId, metric, severity, ts, value, message, state}}, plus the
 * optional {@code type} (kind of incident, default {@code signal}) and {@code clearAfterMs} (for a
 * producer that never sends CLEAR: the alert resolves after this long without ACTIVE).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Signal {

  /** The longest rule or metric name accepted. */
  public static final int MAX_NAME_LENGTH = 128;

  private String rule;
  private String deviceId;
  private String metric;
  private AlertSeverity severity;
  private long ts;
  private Double value;
  private String message;
  private SignalState state;
  private String type;
  private Long clearAfterMs;

  public Signal() {}

  public Signal(
      String rule,
      String deviceId,
      String metric,
      AlertSeverity severity,
      long ts,
      Double value,
      String message,
      SignalState state) {
    this.rule = rule;
    this.deviceId = deviceId;
    this.metric = metric;
    this.severity = severity;
    this.ts = ts;
    this.value = value;
    this.message = message;
    this.state = state;
  }

  /**
   * Decodes and validates a signal from JSON.
   *
   * @throws InvalidMessageException {@code not_json} for what is not JSON, {@code
   *     missing_device_id}/{@code invalid_device_id}, {@code missing_ts}, or {@code invalid_signal}
   *     naming the field
   */
  public static Signal parse(byte[] json) throws InvalidMessageException {
    JsonNode tree = ModelJsonTrees.read(json, "signal");
    Signal signal;
    try {
      signal = ModelJson.mapper().treeToValue(tree, Signal.class);
    } catch (JsonProcessingException e) {
      throw new InvalidMessageException(RejectReason.INVALID_SIGNAL, e.getOriginalMessage());
    }
    signal.validate();
    return signal;
  }

  /** Checks the contract; throws naming the first field that breaks it. */
  public void validate() throws InvalidMessageException {
    DeviceIds.require(deviceId);
    requireName("rule", rule, true);
    requireName("metric", metric, false);
    if (state == null) {
      throw new InvalidMessageException(
          RejectReason.INVALID_SIGNAL, "state is missing; it is ACTIVE or CLEAR");
    }
    if (state == SignalState.ACTIVE && severity == null) {
      throw new InvalidMessageException(
          RejectReason.INVALID_SIGNAL, "severity is missing; an ACTIVE signal needs one");
    }
    if (ts <= 0) {
      throw new InvalidMessageException(
          RejectReason.MISSING_TS, "ts is missing or not positive epoch milliseconds");
    }
    if (value != null && (value.isNaN() || value.isInfinite())) {
      throw new InvalidMessageException(RejectReason.INVALID_SIGNAL, "value is not finite");
    }
    if (clearAfterMs != null && clearAfterMs <= 0) {
      throw new InvalidMessageException(
          RejectReason.INVALID_SIGNAL, "clearAfterMs is " + clearAfterMs + ", must be positive");
    }
  }

  private static void requireName(String field, String name, boolean required)
      throws InvalidMessageException {
    if (name == null || name.isBlank()) {
      if (required) {
        throw new InvalidMessageException(RejectReason.INVALID_SIGNAL, field + " is missing");
      }
      return;
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new InvalidMessageException(
          RejectReason.INVALID_SIGNAL,
          field + " is " + name.length() + " characters, the limit is " + MAX_NAME_LENGTH);
    }
    if (name.indexOf('\u001f') >= 0) {
      throw new InvalidMessageException(
          RejectReason.INVALID_SIGNAL, field + " contains the unit separator \\u001f");
    }
  }

  /**
   * Reads JSON trees for the model's small contracts, mapping syntax errors to {@code not_json}.
   */
  static final class ModelJsonTrees {
    private ModelJsonTrees() {}

    static JsonNode read(byte[] json, String what) throws InvalidMessageException {
      if (json == null || json.length == 0) {
        throw new InvalidMessageException(RejectReason.NOT_JSON, what + " payload is empty");
      }
      JsonNode tree;
      try {
        tree = ModelJson.mapper().readTree(json);
      } catch (JsonProcessingException e) {
        throw new InvalidMessageException(
            RejectReason.NOT_JSON, what + " is not JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new InvalidMessageException(RejectReason.NOT_JSON, what + " is not JSON: " + e);
      }
      if (tree == null || !tree.isObject()) {
        throw new InvalidMessageException(RejectReason.NOT_JSON, what + " is not a JSON object");
      }
      return tree;
    }
  }

  public String getRule() {
    return rule;
  }

  public void setRule(String rule) {
    this.rule = rule;
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  /** The metric the signal is about, or null when it is about the whole device. */
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

  /** Event time of the observation, epoch milliseconds. */
  public long getTs() {
    return ts;
  }

  public void setTs(long ts) {
    this.ts = ts;
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

  public SignalState getState() {
    return state;
  }

  public void setState(SignalState state) {
    this.state = state;
  }

  /**
   * Kind of incident for the alert's {@code type}, e.g. {@code threshold}; null: {@code signal}.
   */
  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  /** For sources that never send CLEAR: resolve after this long without ACTIVE; null: never. */
  public Long getClearAfterMs() {
    return clearAfterMs;
  }

  public void setClearAfterMs(Long clearAfterMs) {
    this.clearAfterMs = clearAfterMs;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Signal)) {
      return false;
    }
    Signal that = (Signal) o;
    return ts == that.ts
        && Objects.equals(rule, that.rule)
        && Objects.equals(deviceId, that.deviceId)
        && Objects.equals(metric, that.metric)
        && severity == that.severity
        && Objects.equals(value, that.value)
        && Objects.equals(message, that.message)
        && state == that.state
        && Objects.equals(type, that.type)
        && Objects.equals(clearAfterMs, that.clearAfterMs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rule, deviceId, metric, severity, ts, value, state);
  }

  @Override
  public String toString() {
    return "Signal{rule="
        + rule
        + ", deviceId="
        + deviceId
        + ", metric="
        + metric
        + ", severity="
        + severity
        + ", ts="
        + ts
        + ", value="
        + value
        + ", state="
        + state
        + ", type="
        + type
        + ", message="
        + message
        + '}';
  }
}
