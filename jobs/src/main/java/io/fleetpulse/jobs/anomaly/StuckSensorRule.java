package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import java.util.List;

/**
 * A STUCK_SENSOR rule (a CEP pattern): the same value of {@code metric} in at least {@code count}
 * readings in a row that span at least {@code forMs} of the device's time. It never sends CLEAR:
 * its alert resolves after {@code clearAfterMs} without another match.
 */
public record StuckSensorRule(
    String name,
    String metric,
    int count,
    long forMs,
    long clearAfterMs,
    AlertSeverity severity,
    List<String> deviceTypes)
    implements SequenceRule {

  public StuckSensorRule {
    deviceTypes = List.copyOf(deviceTypes);
  }
}
