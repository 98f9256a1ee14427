package io.fleetpulse.model;

/** What a user does to an alert. */
public enum AlertActionType {
  /** Acknowledge: the alert goes to ACKNOWLEDGED. */
  ACK,
  /** No notifications until {@code until}. */
  SNOOZE,
  /** Resolve it by hand. */
  RESOLVE
}
