package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A user's action on an alert, as written to {@code iot.alert.actions} keyed by deviceId: {@code
 * {alertId, deviceId, action: ACK|SNOOZE|RESOLVE, until, ts, user}} ({@code until} only with
 * SNOOZE).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlertAction {

  private String alertId;
  private String deviceId;
  private AlertActionType action;
  private Long until;
  private long ts;
  private String user;

  public AlertAction() {}

  public AlertAction(
      String alertId, String deviceId, AlertActionType action, Long until, long ts, String user) {
    this.alertId = alertId;
    this.deviceId = deviceId;
    this.action = action;
    this.until = until;
    this.ts = ts;
    this.user = user;
  }

  /**
   * Decodes and validates an action from JSON.
   *
   * @throws InvalidMessageException {@code not_json}, {@code missing_device_id}/{@code
   *     invalid_device_id}, or {@code invalid_action} naming the field
   */
  public static AlertAction parse(byte[] json) throws InvalidMessageException {
    JsonNode tree = Signal.ModelJsonTrees.read(json, "alert action");
    AlertAction action;
    try {
      action = ModelJson.mapper().treeToValue(tree, AlertAction.class);
    } catch (JsonProcessingException e) {
      throw new InvalidMessageException(RejectReason.INVALID_ACTION, e.getOriginalMessage());
    }
    action.validate();
    return action;
  }

  /** Checks the contract; throws naming the first field that breaks it. */
  public void validate() throws InvalidMessageException {
    DeviceIds.require(deviceId);
    if (alertId == null || alertId.isBlank()) {
      throw new InvalidMessageException(RejectReason.INVALID_ACTION, "alertId is missing");
    }
    if (action == null) {
      throw new InvalidMessageException(
          RejectReason.INVALID_ACTION, "action is missing; it is ACK, SNOOZE or RESOLVE");
    }
    if (action == AlertActionType.SNOOZE && until == null) {
      throw new InvalidMessageException(
          RejectReason.INVALID_ACTION, "until is missing; SNOOZE needs it (epoch millis)");
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

  public AlertActionType getAction() {
    return action;
  }

  public void setAction(AlertActionType action) {
    this.action = action;
  }

  /** End of a SNOOZE, epoch milliseconds. */
  public Long getUntil() {
    return until;
  }

  public void setUntil(Long until) {
    this.until = until;
  }

  /** When the user acted, epoch milliseconds. */
  public long getTs() {
    return ts;
  }

  public void setTs(long ts) {
    this.ts = ts;
  }

  public String getUser() {
    return user;
  }

  public void setUser(String user) {
    this.user = user;
  }

  @Override
  public String toString() {
    return "AlertAction{alertId="
        + alertId
        + ", deviceId="
        + deviceId
        + ", action="
        + action
        + ", until="
        + until
        + ", ts="
        + ts
        + '}';
  }
}
