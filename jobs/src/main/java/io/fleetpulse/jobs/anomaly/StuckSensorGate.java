package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Telemetry;
import org.apache.flink.util.Collector;

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
final class StuckSensorGate extends PatternGate<StuckSensorRule> {
  private static final long serialVersionUID = 1L;

  StuckSensorGate(StuckSensorRule rule) {
    super(rule);
  }

  @Override
  void pass(Telemetry reading, Double value, GateReadings gate, Collector<Telemetry> out) {
    boolean continues =
        value != null && gate.hasPrevious && Double.compare(value, gate.previous) == 0;
    gate.hasPrevious = value != null;
    if (value != null) {
      gate.previous = value;
    }
    if (gate.open) {
      if (continues) {
        out.collect(reading);
        return;
      }
      close(reading, gate, out);
    }
    if (!continues) {
      gate.clear();
    }
    if (value == null) {
      return;
    }
    long ts = reading.getTs();
    int first = 0;
    while (first < gate.size && !rule.appliesTo(gate.types[first])) {
      first++;
    }
    long firstTs = first < gate.size ? gate.ts[first] : ts;
    int run = gate.size - first + 1;
    boolean watched = first < gate.size || rule.appliesTo(reading.getType());
    if (watched && run >= rule.count() && ts - firstTs >= rule.forMs()) {
      open(reading, gate, first, out);
      gate.clear();
    } else {
      gate.add(ts, value, reading.getType());
    }
  }
}
