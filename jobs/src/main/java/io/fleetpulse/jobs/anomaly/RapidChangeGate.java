package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Telemetry;
import org.apache.flink.util.Collector;

/**
 * The {@link PatternGate} of a RAPID_CHANGE rule: open from a reading that jumps (differs by more
 * than {@code delta} from a reading of the window before it that could start a match) until a
 * reading comes more than {@code within} after the last jump.
 *
 * <p>Why the operator finds the same matches: a match ends at a jump, and the gate is open at every
 * jump. When it opens at a jump {@code r}, the partial matches that can still complete are the ones
 * started within the window before {@code r} (an older one fails at {@code r}); none of them was
 * cut short since it started, as nothing in a window fails the conditions and no match (no jump)
 * came between; so replaying the window's readings that can start a match rebuilds them all.
 * Readings without the metric or of another type only extend a partial match, so they are not kept.
 * The pattern may hold a completed match back while an older partial match is alive (it emits the
 * earliest first): that one leaves the window by the time the gate closes, and the closing break
 * releases the match as the next reading would.
 */
final class RapidChangeGate extends PatternGate<RapidChangeRule> {
  private static final long serialVersionUID = 1L;

  RapidChangeGate(RapidChangeRule rule) {
    super(rule);
  }

  @Override
  void pass(Telemetry reading, Double value, GateReadings gate, Collector<Telemetry> out) {
    long ts = reading.getTs();
    gate.dropBefore(ts - rule.withinMs());
    boolean jump = false;
    if (value != null) {
      for (int i = 0; i < gate.size && !jump; i++) {
        jump = Math.abs(value - gate.values[i]) > rule.delta();
      }
    }
    if (gate.open) {
      if (jump || ts <= gate.openUntil) {
        out.collect(reading);
      } else {
        close(reading, gate, out);
      }
    } else if (jump) {
      open(reading, gate, 0, out);
    }
    if (jump) {
      gate.openUntil = ts + rule.withinMs();
    }
    if (rule.watches(reading)) {
      gate.add(ts, value, reading.getType());
    }
  }
}
