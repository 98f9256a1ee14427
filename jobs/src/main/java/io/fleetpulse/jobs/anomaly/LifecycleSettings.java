package io.fleetpulse.jobs.anomaly;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the alert lifecycle behaves: how often an open alert's count is re-published, how soon a new
 * ACTIVE re-opens a resolved alert, when an alert counts as flapping ({@code flapCount} = 0:
 * never), and each rule's escalation steps (by rule name, ascending {@code afterMs}).
 */
public record LifecycleSettings(
    Duration updateInterval,
    Duration reopenWithin,
    int flapCount,
    Duration flapWindow,
    Map<String, List<Escalation>> escalations)
    implements Serializable {

  public LifecycleSettings {
    escalations = Map.copyOf(escalations);
  }

  /** Settings without escalation. */
  public LifecycleSettings(
      Duration updateInterval, Duration reopenWithin, int flapCount, Duration flapWindow) {
    this(updateInterval, reopenWithin, flapCount, flapWindow, Map.of());
  }

  /** The same settings with {@code steps} as the escalations. */
  public LifecycleSettings withEscalations(Map<String, List<Escalation>> steps) {
    return new LifecycleSettings(updateInterval, reopenWithin, flapCount, flapWindow, steps);
  }

  /** The escalation steps of {@code rule}, empty when it has none. */
  public List<Escalation> escalationsOf(String rule) {
    return escalations.getOrDefault(rule, List.of());
  }
}
