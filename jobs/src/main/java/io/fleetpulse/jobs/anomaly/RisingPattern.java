package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Signal;
import io.fleetpulse.model.Telemetry;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * A RISING rule as a Flink CEP pattern on a device's readings (see {@link SequencePatterns}):
 * {@code count} readings in a row, each higher than the one before. A match is an ACTIVE signal
 * with the rule's clear-after.
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
    return SequencePatterns.detect(readings, pattern(rule), new ToSignal(rule));
  }

  /** The reading has the metric and, after the first, is higher than the previous one matched. */
  static final class HigherThanBefore extends IterativeCondition<Telemetry> {
    private static final long serialVersionUID = 1L;
    private final RisingRule rule;
    private final SequencePatterns.HasMetric hasMetric;

    HigherThanBefore(RisingRule rule) {
      this.rule = rule;
      this.hasMetric = new SequencePatterns.HasMetric(rule);
    }

    @Override
    public boolean filter(Telemetry reading, Context<Telemetry> ctx) throws Exception {
      if (!hasMetric.filter(reading, ctx)) {
        return false;
      }
      Double previous = null;
      for (Telemetry earlier : ctx.getEventsForPattern(STEP)) {
        previous = earlier.getMetrics().get(rule.metric());
      }
      return previous == null || SequencePatterns.value(rule, reading) > previous;
    }
  }

  /** One ACTIVE signal per match, at the last reading. */
  static final class ToSignal extends SequencePatterns.ToSignal<RisingRule> {
    private static final long serialVersionUID = 1L;

    ToSignal(RisingRule rule) {
      super(rule);
    }

    @Override
    Signal signal(Map<String, List<Telemetry>> match) {
      List<Telemetry> readings = match.get(STEP);
      Telemetry last = readings.get(readings.size() - 1);
      double from = SequencePatterns.value(rule, readings.get(0));
      double to = SequencePatterns.value(rule, last);
      return SequencePatterns.active(
          rule,
          TYPE,
          last,
          rule.metric() + " rose " + readings.size() + " times in a row, " + from + " to " + to);
    }
  }
}
