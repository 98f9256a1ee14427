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
 * A STUCK_SENSOR rule as a Flink CEP pattern on a device's time-ordered readings (a {@link
 * SequencePatterns#run}): readings of the metric in a row with exactly the same value, ending at
 * the first one that makes them at least {@code count} and spanning at least {@code for} of the
 * device's time. A reading without the metric or with another value ends the run.
 */
public final class StuckSensorPattern {

  /** The {@code type} of the alerts it raises. */
  public static final String TYPE = "stuck_sensor";

  private StuckSensorPattern() {}

  /** The pattern of {@code rule}. */
  public static Pattern<Telemetry, Telemetry> pattern(StuckSensorRule rule) {
    return SequencePatterns.run(rule, new Same(rule, false), new Same(rule, true));
  }

  /** Signals of {@code rule} on the time-ordered readings keyed by device. */
  public static SingleOutputStreamOperator<Signal> detect(
      KeyedStream<Telemetry, String> readings, StuckSensorRule rule) {
    return SequencePatterns.detect(readings, pattern(rule), new ToSignal(rule));
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
      Telemetry first = ctx.getEventsForPattern(SequencePatterns.FIRST).iterator().next();
      if (value == null || Double.compare(value, SequencePatterns.value(rule, first)) != 0) {
        return false;
      }
      int run = 2;
      for (Telemetry ignored : ctx.getEventsForPattern(SequencePatterns.MIDDLE)) {
        run++;
      }
      boolean enough = run >= rule.count() && reading.getTs() - first.getTs() >= rule.forMs();
      return last == enough;
    }
  }

  /** One ACTIVE signal per match, at the reading that completed it. */
  static final class ToSignal extends SequencePatterns.ToSignal<StuckSensorRule> {
    private static final long serialVersionUID = 1L;

    ToSignal(StuckSensorRule rule) {
      super(rule);
    }

    @Override
    Signal signal(Map<String, List<Telemetry>> match) {
      Telemetry first = SequencePatterns.first(match);
      Telemetry last = SequencePatterns.last(match);
      int run = 2 + match.getOrDefault(SequencePatterns.MIDDLE, List.of()).size();
      return SequencePatterns.active(
          rule,
          TYPE,
          last,
          rule.metric()
              + " stuck at "
              + SequencePatterns.value(rule, last)
              + " for "
              + run
              + " readings over "
              + (last.getTs() - first.getTs())
              + " ms");
    }
  }
}
