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
 * A RISING rule as a Flink CEP pattern on a device's readings: {@code count} readings in a row,
 * each higher than the one before. A match is an ACTIVE signal with the rule's clear-after.
 *
 * <p>The pattern runs in arrival order ({@code inProcessingTime}): a device's readings arrive in
 * its own order on one partition, and a global watermark would let one device's clock hold back
 * another's detections.
 */
public final class RisingPattern {

  /** The {@code type} of the alerts it raises. */
  public static final String TYPE = "rising";

  private static final String STEP = "rise";

  private RisingPattern() {}

  /** The pattern of {@code rule}. */
  public static Pattern<Telemetry, Telemetry> pattern(RisingRule rule) {
    return Pattern.<Telemetry>begin(STEP, AfterMatchSkipStrategy.skipPastLastEvent())
        .where(new HigherThanBefore(rule))
        .times(rule.count())
        .consecutive();
  }

  /** Signals of {@code rule} on the readings keyed by device. */
  public static SingleOutputStreamOperator<Signal> detect(
      KeyedStream<Telemetry, String> readings, RisingRule rule) {
    return CEP.pattern(readings, pattern(rule))
        .inProcessingTime()
        .process(new ToSignal(rule), AnomalyTypes.SIGNAL);
  }

  /** The reading has the metric and, after the first, is higher than the previous one matched. */
  static final class HigherThanBefore extends IterativeCondition<Telemetry> {
    private static final long serialVersionUID = 1L;
    private final RisingRule rule;

    HigherThanBefore(RisingRule rule) {
      this.rule = rule;
    }

    @Override
    public boolean filter(Telemetry reading, Context<Telemetry> ctx) throws Exception {
      String metric = rule.metric();
      Double value = reading.getMetrics().get(metric);
      if (value == null || !rule.appliesTo(reading.getType())) {
        return false;
      }
      Double previous = null;
      for (Telemetry earlier : ctx.getEventsForPattern(STEP)) {
        previous = earlier.getMetrics().get(metric);
      }
      return previous == null || value > previous;
    }
  }

  /** One ACTIVE signal per match, at the last reading. */
  static final class ToSignal extends PatternProcessFunction<Telemetry, Signal> {
    private static final long serialVersionUID = 1L;
    private final RisingRule rule;

    ToSignal(RisingRule rule) {
      this.rule = rule;
    }

    @Override
    public void processMatch(
        Map<String, List<Telemetry>> match, Context ctx, Collector<Signal> out) {
      List<Telemetry> readings = match.get(STEP);
      Telemetry first = readings.get(0);
      Telemetry last = readings.get(readings.size() - 1);
      double from = first.getMetrics().get(rule.metric());
      double to = last.getMetrics().get(rule.metric());
      Signal signal =
          new Signal(
              rule.name(),
              last.getDeviceId(),
              rule.metric(),
              rule.severity(),
              last.getTs(),
              to,
              rule.metric() + " rose " + readings.size() + " times in a row, " + from + " to " + to,
              SignalState.ACTIVE);
      signal.setType(TYPE);
      signal.setClearAfterMs(rule.clearAfterMs());
      out.collect(signal);
    }
  }
}
