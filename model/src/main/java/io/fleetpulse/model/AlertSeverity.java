package io.fleetpulse.model;

/** How urgent an alert is, from least to most. */
public enum AlertSeverity {
  INFO,
  WARNING,
  CRITICAL
}
