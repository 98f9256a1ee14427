package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Device;
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
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * THRESHOLD rules on a device's readings, in the device's event time: ACTIVE once a breach has held
 * for the rule's {@code for} (judged on the readings: the first breaching reading to the latest)
 * and over its {@code times} readings in a row, again on every further breaching reading (the
 * lifecycle counts them), CLEAR only once the value has been back inside the clear band for {@code
 * clearFor}. The bounds come from the device's registry {@code thresholds} where it has them (the
 * broadcast registry), else from the rule. A reading older than the newest one judged is ignored
 * (counted).
 */
public final class ThresholdDetector
    extends KeyedBroadcastProcessFunction<String, Telemetry, DeviceUpdate, Signal> {

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
  public void processElement(Telemetry telemetry, ReadOnlyContext ctx, Collector<Signal> out)
      throws Exception {
    Device device = ctx.getBroadcastState(DeviceRegistry.STATE).get(ctx.getCurrentKey());
    String type =
        telemetry.getType() != null || device == null ? telemetry.getType() : device.getType();
    for (ThresholdRule configured : rules) {
      if (!configured.appliesTo(type)) {
        continue;
      }
      ThresholdRule rule = configured.forDevice(device);
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
      if (state.isActive()) {
        if (breached) {
          state.setClearSince(-1);
          out.collect(signal(rule, telemetry, value, SignalState.ACTIVE));
        } else if (rule.recovered(value)) {
          if (state.getClearSince() < 0) {
            state.setClearSince(ts);
          }
          if (ts - state.getClearSince() >= rule.clearForMs()) {
            state.setActive(false);
            state.setBreachSince(-1);
            state.setBreaches(0);
            state.setClearSince(-1);
            out.collect(signal(rule, telemetry, value, SignalState.CLEAR));
          }
        } else {
          // Inside the deadband: neither a new breach nor a recovery.
          state.setClearSince(-1);
        }
      } else if (breached) {
        if (state.getBreachSince() < 0) {
          state.setBreachSince(ts);
        }
        state.setBreaches(state.getBreaches() + 1);
        if (ts - state.getBreachSince() >= rule.forMs() && state.getBreaches() >= rule.times()) {
          state.setActive(true);
          out.collect(signal(rule, telemetry, value, SignalState.ACTIVE));
        }
      } else {
        state.setBreachSince(-1);
        state.setBreaches(0);
      }
      states.put(rule.name(), state);
    }
  }

  @Override
  public void processBroadcastElement(DeviceUpdate update, Context ctx, Collector<Signal> out)
      throws Exception {
    RegistryUpdates.apply(update, ctx.getBroadcastState(DeviceRegistry.STATE));
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
