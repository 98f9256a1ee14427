package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Telemetry;

/**
 * The {@link PatternGate} of a STUCK_SENSOR rule: open from the reading that makes the current run
 * of equal values long enough ({@code count} readings over at least {@code for}, from its first
 * reading the rule watches) until the run ends.
 *
 * <p>Why the operator finds the same matches: every partial match lies within one run of equal
 * values (a different value or a missing metric ends it), so the run's readings are all a closed
 * gate needs to replay; no match can end in the run before it is long enough from its first watched
 * reading, the longest and oldest start, so none was missed or cut the run short.
 */
final class StuckSensorGate extends RunGate<StuckSensorRule> {
  private static final long serialVersionUID = 1L;

  StuckSensorGate(StuckSensorRule rule) {
    super(rule);
  }

  @Override
  boolean inRun(Telemetry reading, Double value) {
    return value != null;
  }

  @Override
  boolean continues(double value, double previous) {
    return Double.compare(value, previous) == 0;
  }

  @Override
  int openFrom(Telemetry reading, double value, GateReadings gate) {
    int first = 0;
    while (first < gate.size && !rule.appliesTo(gate.types[first])) {
      first++;
    }
    if (first == gate.size && !rule.appliesTo(reading.getType())) {
      return -1;
    }
    long firstTs = first < gate.size ? gate.ts[first] : reading.getTs();
    int run = gate.size - first + 1;
    return run >= rule.count() && reading.getTs() - firstTs >= rule.forMs() ? first : -1;
  }
}
