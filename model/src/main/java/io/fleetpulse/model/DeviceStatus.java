package io.fleetpulse.model;

/** Lifecycle state of a registered device; only ACTIVE devices are expected to report. */
public enum DeviceStatus {
  ACTIVE,
  DISABLED,
  RECALLED
}
