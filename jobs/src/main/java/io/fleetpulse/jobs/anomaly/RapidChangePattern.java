package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Signal;
import io.fleetpulse.model.Telemetry;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * A RAPID_CHANGE rule as a Flink CEP pattern on a device's time-ordered readings (a {@link
 * SequencePatterns#run}): a reading ({@code first}), any readings within {@code within} that stay
 * within {@code delta} of it, then one within {@code within} that differs from it by more than
 * {@code delta}.
 *
 * <p>The window is judged on the readings' own {@code ts} (the device's time), so a replay finds
 * what live finds; the contiguity ends every partial match at the first reading past the window,
 * which bounds the pattern's state without a wall-clock {@code within}.
 */
public final class RapidChangePattern {

  /** The {@code type} of the alerts it raises. */
  public static final String TYPE = "rapid_change";

  private RapidChangePattern() {}

  /** The pattern of {@code rule}. */
  public static Pattern<Telemetry, Telemetry> pattern(RapidChangeRule rule) {
    return SequencePatterns.run(rule, new Step(rule, false), new Step(rule, true));
  }

  /** Signals of {@code rule} on the time-ordered readings keyed by device. */
  public static SingleOutputStreamOperator<Signal> detect(
      KeyedStream<Telemetry, String> readings, RapidChangeRule rule) {
    return SequencePatterns.detect(readings, pattern(rule), new ToSignal(rule));
  }

  /** Within the window of the first: a jump (beyond delta) or a steady reading (not). */
  static final class Step extends IterativeCondition<Telemetry> {
    private static final long serialVersionUID = 1L;
    private final RapidChangeRule rule;
    private final boolean jump;

    Step(RapidChangeRule rule, boolean jump) {
      this.rule = rule;
      this.jump = jump;
    }

    @Override
    public boolean filter(Telemetry reading, Context<Telemetry> ctx) throws Exception {
      Telemetry from = ctx.getEventsForPattern(SequencePatterns.FIRST).iterator().next();
      if (PatternGate.isBreak(reading) || reading.getTs() - from.getTs() > rule.withinMs()) {
        return false;
      }
      Double value = reading.getMetrics().get(rule.metric());
      if (value == null) {
        return !jump;
      }
      boolean beyond = Math.abs(value - SequencePatterns.value(rule, from)) > rule.delta();
      return jump == beyond;
    }
  }

  /** One ACTIVE signal per match, at the jump. */
  static final class ToSignal extends SequencePatterns.ToSignal<RapidChangeRule> {
    private static final long serialVersionUID = 1L;

    ToSignal(RapidChangeRule rule) {
      super(rule);
    }

    @Override
    Signal signal(Map<String, List<Telemetry>> match) {
      Telemetry from = SequencePatterns.first(match);
      Telemetry to = SequencePatterns.last(match);
      double a = SequencePatterns.value(rule, from);
      double b = SequencePatterns.value(rule, to);
      return SequencePatterns.active(
          rule,
          TYPE,
          to,
          rule.metric()
              + " changed by "
              + (b - a)
              + " in "
              + (to.getTs() - from.getTs())
              + " ms ("
              + a
              + " to "
              + b
              + ")");
    }
  }
}
