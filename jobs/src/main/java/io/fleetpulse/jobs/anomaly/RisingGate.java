package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Telemetry;
import org.apache.flink.util.Collector;

/**
 * The {@link PatternGate} of a RISING rule: open from the {@code count}-th reading of a run of
 * rising values until the run ends.
 *
 * <p>Why the operator finds the same matches: every partial match lies within one run of watched
 * readings each higher than the one before, and none can end before the run has {@code count}
 * readings, so replaying the run rebuilds every partial match, none cut short.
 */
final class RisingGate extends PatternGate<RisingRule> {
  private static final long serialVersionUID = 1L;

  RisingGate(RisingRule rule) {
    super(rule);
  }

  @Override
  void pass(Telemetry reading, Double value, GateReadings gate, Collector<Telemetry> out) {
    boolean watched = value != null && rule.appliesTo(reading.getType());
    boolean continues = watched && gate.hasPrevious && value > gate.previous;
    gate.hasPrevious = watched;
    if (watched) {
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
    if (!watched) {
      return;
    }
    if (gate.size + 1 >= rule.count()) {
      open(reading, gate, 0, out);
      gate.clear();
    } else {
      gate.add(reading.getTs(), value, reading.getType());
    }
  }
}
