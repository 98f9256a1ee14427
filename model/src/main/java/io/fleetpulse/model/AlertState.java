package io.fleetpulse.model;

/** Whether an incident is still going on; a RESOLVED alert carries the same id as its OPEN one. */
public enum AlertState {
  OPEN,
  RESOLVED
}
