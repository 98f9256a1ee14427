package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import java.util.List;

/**
 * A RAPID_CHANGE rule (a CEP pattern): {@code metric} changes by more than {@code delta}, up or
 * down, between two readings at most {@code withinMs} apart in the device's time. It never sends
 * CLEAR: its alert resolves after {@code clearAfterMs} without another match.
 */
public record RapidChangeRule(
    String name,
    String metric,
    double delta,
    long withinMs,
    long clearAfterMs,
    AlertSeverity severity,
    List<String> deviceTypes)
    implements SequenceRule {

  public RapidChangeRule {
    deviceTypes = List.copyOf(deviceTypes);
  }
}
