package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Telemetry;

/**
 * The {@link PatternGate} of a RISING rule: open from the {@code count}-th reading of a run of
 * rising values until the run ends.
 *
 * <p>Why the operator finds the same matches: every partial match lies within one run of watched
 * readings each higher than the one before, and none can end before the run has {@code count}
 * readings, so replaying the run rebuilds every partial match, none cut short.
 */
final class RisingGate extends RunGate<RisingRule> {
  private static final long serialVersionUID = 1L;

  RisingGate(RisingRule rule) {
    super(rule);
  }

  @Override
  boolean inRun(Telemetry reading, Double value) {
    return rule.watches(reading);
  }

  @Override
  boolean continues(double value, double previous) {
    return value > previous;
  }

  @Override
  int openFrom(Telemetry reading, double value, GateReadings gate) {
    return gate.size + 1 >= rule.count() ? 0 : -1;
  }
}
