package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.Threshold;
import java.io.Serializable;
import java.util.List;

/**
 * A THRESHOLD rule: {@code metric} above {@code max} or below {@code min} for at least {@code
 * forMs} and at least {@code times} readings in a row becomes ACTIVE; it clears only once back
 * inside [{@code clearMin}, {@code clearMax}] (the deadband, which defaults to the bounds) for
 * {@code clearForMs}. A device's registry {@code thresholds} for the metric replace the bounds (the
 * deadband's width stays the rule's); {@code deviceTypes}, when not empty, limits the rule to those
 * types.
 */
public record ThresholdRule(
    String name,
    String metric,
    Double min,
    Double max,
    Double clearMin,
    Double clearMax,
    long forMs,
    int times,
    long clearForMs,
    AlertSeverity severity,
    List<String> deviceTypes)
    implements Serializable {

  public ThresholdRule {
    deviceTypes = List.copyOf(deviceTypes);
  }

  /** A rule for every device type, one breaching reading enough, clearing at once. */
  public ThresholdRule(
      String name,
      String metric,
      Double min,
      Double max,
      Double clearMin,
      Double clearMax,
      long forMs,
      AlertSeverity severity) {
    this(name, metric, min, max, clearMin, clearMax, forMs, 1, 0, severity, List.of());
  }

  /** Whether the rule watches devices of {@code type} (null: unknown type). */
  public boolean appliesTo(String type) {
    return DeviceTypes.match(deviceTypes, type);
  }

  /** The rule with {@code device}'s registry thresholds for the metric, if it has any. */
  public ThresholdRule forDevice(Device device) {
    if (device == null || device.getThresholds() == null) {
      return this;
    }
    Threshold own = device.getThresholds().get(metric);
    if (own == null || (own.getMin() == null && own.getMax() == null)) {
      return this;
    }
    Double newMin = own.getMin();
    Double newMax = own.getMax();
    Double newClearMin =
        newMin == null || clearMin == null || min == null ? null : newMin + (clearMin - min);
    Double newClearMax =
        newMax == null || clearMax == null || max == null ? null : newMax - (max - clearMax);
    return new ThresholdRule(
        name,
        metric,
        newMin,
        newMax,
        newClearMin,
        newClearMax,
        forMs,
        times,
        clearForMs,
        severity,
        deviceTypes);
  }

  /** Whether {@code value} breaks the rule. */
  public boolean breached(double value) {
    return (max != null && value > max) || (min != null && value < min);
  }

  /** Whether {@code value} is back inside the clear band. */
  public boolean recovered(double value) {
    double upper = clearMax != null ? clearMax : max != null ? max : Double.POSITIVE_INFINITY;
    double lower = clearMin != null ? clearMin : min != null ? min : Double.NEGATIVE_INFINITY;
    return value <= upper && value >= lower;
  }
}
