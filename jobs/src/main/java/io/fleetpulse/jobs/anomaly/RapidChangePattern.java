package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * A RAPID_CHANGE rule as a Flink CEP pattern on a device's time-ordered readings: a reading ({@code
 * from}), any readings within {@code within} that stay within {@code delta} of it, then one within
 * {@code within} that differs from it by more than {@code delta}.
 *
 * <p>The window is judged on the readings' own {@code ts} (the device's time), so a replay finds
 * what live finds; the contiguity ends every partial match at the first reading past the window,
 * which bounds the pattern's state without a wall-clock {@code within}.
 */
public final class RapidChangePattern {

  /** The {@code type} of the alerts it raises. */
  public static final String TYPE = "rapid_change";

  private static final String FROM = "from";
  private static final String STEADY = "steady";
  private static final String JUMP = "jump";

  private RapidChangePattern() {}

  /** The pattern of {@code rule}. */
  public static Pattern<Telemetry, Telemetry> pattern(RapidChangeRule rule) {
    return Pattern.<Telemetry>begin(FROM, AfterMatchSkipStrategy.skipPastLastEvent())
        .where(new From(rule))
        .next(STEADY)
        .where(new Step(rule, false))
        .oneOrMore()
        .optional()
        .consecutive()
        .next(JUMP)
        .where(new Step(rule, true));
  }

  /** Signals of {@code rule} on the time-ordered readings keyed by device. */
  public static SingleOutputStreamOperator<Signal> detect(
      KeyedStream<Telemetry, String> readings, RapidChangeRule rule) {
    return CEP.pattern(readings, pattern(rule))
        .inProcessingTime()
        .process(new ToSignal(rule), AnomalyTypes.SIGNAL);
  }

  /** A reading of a watched device with the metric. */
  static final class From extends IterativeCondition<Telemetry> {
    private static final long serialVersionUID = 1L;
    private final RapidChangeRule rule;

    From(RapidChangeRule rule) {
      this.rule = rule;
    }

    @Override
    public boolean filter(Telemetry reading, Context<Telemetry> ctx) {
      return reading.getMetrics().get(rule.metric()) != null && rule.appliesTo(reading.getType());
    }
  }

  /** Within the window of {@code from}: a jump (beyond delta) or a steady reading (not). */
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
      Telemetry from = ctx.getEventsForPattern(FROM).iterator().next();
      if (reading.getTs() - from.getTs() > rule.withinMs()) {
        return false;
      }
      Double value = reading.getMetrics().get(rule.metric());
      if (value == null) {
        return !jump;
      }
      boolean beyond = Math.abs(value - from.getMetrics().get(rule.metric())) > rule.delta();
      return jump == beyond;
    }
  }

  /** One ACTIVE signal per match, at the jump. */
  static final class ToSignal extends PatternProcessFunction<Telemetry, Signal> {
    private static final long serialVersionUID = 1L;
    private final RapidChangeRule rule;

    ToSignal(RapidChangeRule rule) {
      this.rule = rule;
    }

    @Override
    public void processMatch(
        Map<String, List<Telemetry>> match, Context ctx, Collector<Signal> out) {
      Telemetry from = match.get(FROM).get(0);
      Telemetry to = match.get(JUMP).get(0);
      double a = from.getMetrics().get(rule.metric());
      double b = to.getMetrics().get(rule.metric());
      Signal signal =
          new Signal(
              rule.name(),
              to.getDeviceId(),
              rule.metric(),
              rule.severity(),
              to.getTs(),
              b,
              rule.metric()
                  + " changed by "
                  + (b - a)
                  + " in "
                  + (to.getTs() - from.getTs())
                  + " ms ("
                  + a
                  + " to "
                  + b
                  + ")",
              SignalState.ACTIVE);
      signal.setType(TYPE);
      signal.setClearAfterMs(rule.clearAfterMs());
      out.collect(signal);
    }
  }
}
