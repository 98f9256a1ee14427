package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * THRESHOLD rules on a device's readings, in the device's event time: ACTIVE once a breach has held
 * for the rule's {@code for} (judged on the readings: the first breaching reading to the latest),
 * again on every further breaching reading (the lifecycle counts them), CLEAR only once the value
 * is back inside the clear band. A reading older than the newest one judged is ignored (counted).
 */
public final class ThresholdDetector extends KeyedProcessFunction<String, Telemetry, Signal> {

  /** The {@code type} of the alerts these signals raise. */
  public static final String TYPE = "threshold";

  private final List<ThresholdRule> rules;
  private transient MapState<String, ThresholdState> states;
  private transient Counter outOfOrder;

  public ThresholdDetector(List<ThresholdRule> rules) {
    this.rules = List.copyOf(rules);
  }

  @Override
  public void open(OpenContext openContext) {
    states =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "threshold-states", Types.STRING, TypeInformation.of(ThresholdState.class)));
    outOfOrder = getRuntimeContext().getMetricGroup().counter("thresholdReadingsOutOfOrder");
  }

  @Override
  public void processElement(Telemetry telemetry, Context ctx, Collector<Signal> out)
      throws Exception {
    for (ThresholdRule rule : rules) {
      Double value = telemetry.getMetrics().get(rule.metric());
      if (value == null) {
        continue;
      }
      ThresholdState state = states.get(rule.name());
      if (state == null) {
        state = new ThresholdState();
      }
      long ts = telemetry.getTs();
      if (ts < state.getLastTs()) {
        outOfOrder.inc();
        continue;
      }
      state.setLastTs(ts);
      boolean breached = rule.breached(value);
      if (breached && state.getBreachSince() < 0) {
        state.setBreachSince(ts);
      }
      if (state.isActive()) {
        if (breached) {
          out.collect(signal(rule, telemetry, value, SignalState.ACTIVE));
        } else if (rule.recovered(value)) {
          state.setActive(false);
          state.setBreachSince(-1);
          out.collect(signal(rule, telemetry, value, SignalState.CLEAR));
        }
        // Inside the deadband: neither a new breach nor a recovery.
      } else if (breached) {
        if (ts - state.getBreachSince() >= rule.forMs()) {
          state.setActive(true);
          out.collect(signal(rule, telemetry, value, SignalState.ACTIVE));
        }
      } else {
        state.setBreachSince(-1);
      }
      states.put(rule.name(), state);
    }
  }

  private static Signal signal(ThresholdRule rule, Telemetry t, double value, SignalState state) {
    Signal signal =
        new Signal(
            rule.name(),
            t.getDeviceId(),
            rule.metric(),
            state == SignalState.ACTIVE ? rule.severity() : (AlertSeverity) null,
            t.getTs(),
            value,
            message(rule, value, state),
            state);
    signal.setType(TYPE);
    return signal;
  }

  private static String message(ThresholdRule rule, double value, SignalState state) {
    if (state == SignalState.CLEAR) {
      return rule.metric() + " " + value + " is back within limits";
    }
    if (rule.max() != null && value > rule.max()) {
      return rule.metric() + " " + value + " above max " + rule.max();
    }
    return rule.metric() + " " + value + " below min " + rule.min();
  }
}
