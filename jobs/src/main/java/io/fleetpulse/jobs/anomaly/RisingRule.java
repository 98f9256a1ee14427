package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import java.util.List;

/**
 * A RISING rule (a CEP pattern): {@code count} consecutive readings of {@code metric}, each higher
 * than the one before. It never sends CLEAR: its alert resolves after {@code clearAfterMs} without
 * another match. {@code deviceTypes}, when not empty, limits it to those types.
 */
public record RisingRule(
    String name,
    String metric,
    int count,
    long clearAfterMs,
    AlertSeverity severity,
    List<String> deviceTypes)
    implements SequenceRule {

  public RisingRule {
    deviceTypes = List.copyOf(deviceTypes);
  }

  /** A rule for every device type. */
  public RisingRule(
      String name, String metric, int count, long clearAfterMs, AlertSeverity severity) {
    this(name, metric, count, clearAfterMs, severity, List.of());
  }
}
