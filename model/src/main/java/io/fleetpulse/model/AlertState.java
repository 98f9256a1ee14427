package io.fleetpulse.model;

/**
 * Where an alert is in its lifecycle; every record of one episode carries the same alert id, and
 * consumers deduplicate on (alertId, state).
 */
public enum AlertState {
  /** The incident is going on. */
  OPEN,
  /** A user acknowledged it; it is still going on. */
  ACKNOWLEDGED,
  /** It opened and resolved too often; further transitions are held back until it is stable. */
  FLAPPING,
  /** The incident is over (a CLEAR signal, clear-after, or a user's RESOLVE). */
  RESOLVED
}
