package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.Signal;

/**
 * What the alert lifecycle receives for a device: a signal or a user's action (exactly one is set),
 * so that both arrive through one keyed input in the order they were read.
 */
public class AlertInput {

  private Signal signal;
  private AlertAction action;

  public AlertInput() {}

  public static AlertInput of(Signal signal) {
    AlertInput input = new AlertInput();
    input.signal = signal;
    return input;
  }

  public static AlertInput of(AlertAction action) {
    AlertInput input = new AlertInput();
    input.action = action;
    return input;
  }

  /** The device the input is about: the lifecycle's key. */
  public String deviceId() {
    return signal != null ? signal.getDeviceId() : action.getDeviceId();
  }

  public Signal getSignal() {
    return signal;
  }

  public void setSignal(Signal signal) {
    this.signal = signal;
  }

  public AlertAction getAction() {
    return action;
  }

  public void setAction(AlertAction action) {
    this.action = action;
  }

  @Override
  public String toString() {
    return signal != null ? signal.toString() : String.valueOf(action);
  }
}
