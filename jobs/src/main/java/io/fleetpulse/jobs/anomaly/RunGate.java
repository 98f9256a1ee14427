package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Telemetry;
import org.apache.flink.util.Collector;

/**
 * A {@link PatternGate} for a pattern whose partial matches all lie within one run of readings
 * (STUCK_SENSOR: equal values; RISING: rising values): it holds the current run back until a match
 * could end in it, then stays open until the run ends.
 */
abstract class RunGate<R extends SequenceRule> extends PatternGate<R> {
  private static final long serialVersionUID = 1L;

  RunGate(R rule) {
    super(rule);
  }

  /** Whether {@code reading} (its metric {@code value}) can be in a run at all. */
  abstract boolean inRun(Telemetry reading, Double value);

  /** Whether {@code value} continues the run whose last value was {@code previous}. */
  abstract boolean continues(double value, double previous);

  /**
   * Where the replay starts when a match could end at {@code reading}, the next of the run held
   * back in {@code gate}; -1 while none could.
   */
  abstract int openFrom(Telemetry reading, double value, GateReadings gate);

  @Override
  final void pass(Telemetry reading, Double value, GateReadings gate, Collector<Telemetry> out) {
    boolean member = inRun(reading, value);
    boolean continues = member && gate.hasPrevious && continues(value, gate.previous);
    gate.hasPrevious = member;
    if (member) {
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
    if (!member) {
      return;
    }
    int from = openFrom(reading, value, gate);
    if (from >= 0) {
      open(reading, gate, from, out);
      gate.clear();
    } else {
      gate.add(reading.getTs(), value, reading.getType());
    }
  }
}
