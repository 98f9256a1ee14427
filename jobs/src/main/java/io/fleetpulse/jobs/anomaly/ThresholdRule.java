package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import java.io.Serializable;

/**
 * A THRESHOLD rule: {@code metric} above {@code max} or below {@code min} for at least {@code
 * forMs} becomes ACTIVE; it clears only back inside [{@code clearMin}, {@code clearMax}] (the
 * deadband), which default to the bounds themselves.
 */
public record ThresholdRule(
    String name,
    String metric,
    Double min,
    Double max,
    Double clearMin,
    Double clearMax,
    long forMs,
    AlertSeverity severity)
    implements Serializable {

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
