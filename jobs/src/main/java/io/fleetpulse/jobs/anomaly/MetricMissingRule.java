package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import java.io.Serializable;
import java.util.List;

/**
 * A METRIC_MISSING rule: a device keeps reporting, but {@code metric} (null: any metric it has
 * sent) has been absent from its readings for {@code forMs} of its time. CLEAR when the metric is
 * back.
 */
public record MetricMissingRule(
    String name, String metric, long forMs, AlertSeverity severity, List<String> deviceTypes)
    implements Serializable {

  public MetricMissingRule {
    deviceTypes = List.copyOf(deviceTypes);
  }

  /** Whether the rule watches devices of {@code type}. */
  public boolean appliesTo(String type) {
    return DeviceTypes.match(deviceTypes, type);
  }
}
