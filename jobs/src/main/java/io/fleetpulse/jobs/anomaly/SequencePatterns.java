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
 * The skeleton the CEP rules share: how a pattern runs on a device's readings, the run shape of
 * RAPID_CHANGE and STUCK_SENSOR, the "has the metric" start, and the ACTIVE signal of a match.
 *
 * <p>Patterns run in the order {@code reading-order} releases ({@code inProcessingTime}): a
 * device's readings arrive in its own order on one partition, and a global watermark would let one
 * device's clock hold back another's detections.
 */
final class SequencePatterns {

  static final String FIRST = "first";
  static final String MIDDLE = "middle";
  static final String LAST = "last";

  private SequencePatterns() {}

  /** The signals {@code toSignal} makes of the matches of {@code pattern} on {@code readings}. */
  static SingleOutputStreamOperator<Signal> detect(
      KeyedStream<Telemetry, String> readings,
      Pattern<Telemetry, Telemetry> pattern,
      PatternProcessFunction<Telemetry, Signal> toSignal) {
    return CEP.pattern(readings, pattern).inProcessingTime().process(toSignal, AnomalyTypes.SIGNAL);
  }

  /**
   * A reading of a watched device with the rule's metric ({@link #FIRST}), any readings in a row
   * that meet {@code middle} ({@link #MIDDLE}), then one that meets {@code last} ({@link #LAST});
   * the strict contiguity ends a partial match at the first reading that meets neither.
   */
  static Pattern<Telemetry, Telemetry> run(
      SequenceRule rule, IterativeCondition<Telemetry> middle, IterativeCondition<Telemetry> last) {
    return Pattern.<Telemetry>begin(FIRST, AfterMatchSkipStrategy.skipPastLastEvent())
        .where(new HasMetric(rule))
        .next(MIDDLE)
        .where(middle)
        .oneOrMore()
        .optional()
        .consecutive()
        .next(LAST)
        .where(last);
  }

  /** The first reading of a match (its {@link #FIRST}) and the last one (its {@link #LAST}). */
  static Telemetry first(Map<String, List<Telemetry>> match) {
    return match.get(FIRST).get(0);
  }

  static Telemetry last(Map<String, List<Telemetry>> match) {
    return match.get(LAST).get(0);
  }

  /** The rule's metric in {@code reading}. */
  static double value(SequenceRule rule, Telemetry reading) {
    return reading.getMetrics().get(rule.metric());
  }

  /** The ACTIVE signal of a match of {@code rule}, at {@code at}, with its clear-after. */
  static Signal active(SequenceRule rule, String type, Telemetry at, String message) {
    Signal signal =
        new Signal(
            rule.name(),
            at.getDeviceId(),
            rule.metric(),
            rule.severity(),
            at.getTs(),
            value(rule, at),
            message,
            SignalState.ACTIVE);
    signal.setType(type);
    signal.setClearAfterMs(rule.clearAfterMs());
    return signal;
  }

  /** A reading of a device the rule watches, with the rule's metric. */
  static final class HasMetric extends IterativeCondition<Telemetry> {
    private static final long serialVersionUID = 1L;
    private final SequenceRule rule;

    HasMetric(SequenceRule rule) {
      this.rule = rule;
    }

    @Override
    public boolean filter(Telemetry reading, Context<Telemetry> ctx) {
      return rule.watches(reading);
    }
  }

  /** One ACTIVE signal per match: {@link #signal} of the rule's pattern. */
  abstract static class ToSignal<R extends SequenceRule>
      extends PatternProcessFunction<Telemetry, Signal> {
    private static final long serialVersionUID = 1L;
    final R rule;

    ToSignal(R rule) {
      this.rule = rule;
    }

    abstract Signal signal(Map<String, List<Telemetry>> match);

    @Override
    public void processMatch(
        Map<String, List<Telemetry>> match, Context ctx, Collector<Signal> out) {
      out.collect(signal(match));
    }
  }
}
