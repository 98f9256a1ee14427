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
 * A STUCK_SENSOR rule as a Flink CEP pattern on a device's time-ordered readings: readings of the
 * metric in a row with exactly the same value, ending at the first one that makes them at least
 * {@code count} and spanning at least {@code for} of the device's time. A reading without the
 * metric or with another value ends the run.
 */
public final class StuckSensorPattern {

  /** The {@code type} of the alerts it raises. */
  public static final String TYPE = "stuck_sensor";

  private static final String FIRST = "first";
  private static final String SAME = "same";
  private static final String LAST = "last";

  private StuckSensorPattern() {}

  /** The pattern of {@code rule}. */
  public static Pattern<Telemetry, Telemetry> pattern(StuckSensorRule rule) {
    return Pattern.<Telemetry>begin(FIRST, AfterMatchSkipStrategy.skipPastLastEvent())
        .where(new First(rule))
        .next(SAME)
        .where(new Same(rule, false))
        .oneOrMore()
        .optional()
        .consecutive()
        .next(LAST)
        .where(new Same(rule, true));
  }

  /** Signals of {@code rule} on the time-ordered readings keyed by device. */
  public static SingleOutputStreamOperator<Signal> detect(
      KeyedStream<Telemetry, String> readings, StuckSensorRule rule) {
    return CEP.pattern(readings, pattern(rule))
        .inProcessingTime()
        .process(new ToSignal(rule), AnomalyTypes.SIGNAL);
  }

  /** A reading of a watched device with the metric. */
  static final class First extends IterativeCondition<Telemetry> {
    private static final long serialVersionUID = 1L;
    private final StuckSensorRule rule;

    First(StuckSensorRule rule) {
      this.rule = rule;
    }

    @Override
    public boolean filter(Telemetry reading, Context<Telemetry> ctx) {
      return reading.getMetrics().get(rule.metric()) != null && rule.appliesTo(reading.getType());
    }
  }

  /**
   * The same value as the first; {@code last}: and the run is now long enough, else: not yet (the
   * two never both hold, so the pattern does not branch).
   */
  static final class Same extends IterativeCondition<Telemetry> {
    private static final long serialVersionUID = 1L;
    private final StuckSensorRule rule;
    private final boolean last;

    Same(StuckSensorRule rule, boolean last) {
      this.rule = rule;
      this.last = last;
    }

    @Override
    public boolean filter(Telemetry reading, Context<Telemetry> ctx) throws Exception {
      Double value = reading.getMetrics().get(rule.metric());
      Telemetry first = ctx.getEventsForPattern(FIRST).iterator().next();
      if (value == null || Double.compare(value, first.getMetrics().get(rule.metric())) != 0) {
        return false;
      }
      int run = 2;
      for (Telemetry ignored : ctx.getEventsForPattern(SAME)) {
        run++;
      }
      boolean enough = run >= rule.count() && reading.getTs() - first.getTs() >= rule.forMs();
      return last == enough;
    }
  }

  /** One ACTIVE signal per match, at the reading that completed it. */
  static final class ToSignal extends PatternProcessFunction<Telemetry, Signal> {
    private static final long serialVersionUID = 1L;
    private final StuckSensorRule rule;

    ToSignal(StuckSensorRule rule) {
      this.rule = rule;
    }

    @Override
    public void processMatch(
        Map<String, List<Telemetry>> match, Context ctx, Collector<Signal> out) {
      Telemetry first = match.get(FIRST).get(0);
      Telemetry last = match.get(LAST).get(0);
      int run = 2 + match.getOrDefault(SAME, List.of()).size();
      double value = last.getMetrics().get(rule.metric());
      Signal signal =
          new Signal(
              rule.name(),
              last.getDeviceId(),
              rule.metric(),
              rule.severity(),
              last.getTs(),
              value,
              rule.metric()
                  + " stuck at "
                  + value
                  + " for "
                  + run
                  + " readings over "
                  + (last.getTs() - first.getTs())
                  + " ms",
              SignalState.ACTIVE);
      signal.setType(TYPE);
      signal.setClearAfterMs(rule.clearAfterMs());
      out.collect(signal);
    }
  }
}
