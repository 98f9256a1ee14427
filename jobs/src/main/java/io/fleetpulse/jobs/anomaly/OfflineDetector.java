package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * DEVICE_OFFLINE: no message for {@code factor} × the device's {@code heartbeatSeconds} (from the
 * registry, else the default). Live, a wall-clock timer fires at the deadline; in a replay the gap
 * shows between two of the device's own timestamps. Both paths report the incident at the same
 * event time (last message + deadline), so the lifecycle gives it the same alert id; the device's
 * next message clears it.
 */
public final class OfflineDetector
    extends KeyedBroadcastProcessFunction<String, Telemetry, DeviceUpdate, Signal> {

  /** The rule name and alert type of offline incidents. */
  public static final String RULE = "device-offline";

  private final Duration defaultHeartbeat;
  private final int factor;
  private final AlertSeverity severity;
  private transient ValueState<Long> lastTs;
  private transient ValueState<Long> deadline;
  private transient ValueState<Long> timer;
  private transient ValueState<Boolean> offline;
  private transient Counter wentOffline;

  public OfflineDetector(Duration defaultHeartbeat, int factor, AlertSeverity severity) {
    this.defaultHeartbeat = defaultHeartbeat;
    this.factor = factor;
    this.severity = severity;
  }

  @Override
  public void open(OpenContext openContext) {
    var rc = getRuntimeContext();
    lastTs = rc.getState(new ValueStateDescriptor<>("offline-last-ts", Types.LONG));
    deadline = rc.getState(new ValueStateDescriptor<>("offline-deadline", Types.LONG));
    timer = rc.getState(new ValueStateDescriptor<>("offline-timer", Types.LONG));
    offline = rc.getState(new ValueStateDescriptor<>("offline", Types.BOOLEAN));
    wentOffline = rc.getMetricGroup().counter("devicesWentOffline");
  }

  @Override
  public void processElement(Telemetry telemetry, ReadOnlyContext ctx, Collector<Signal> out)
      throws Exception {
    long ts = telemetry.getTs();
    Long last = lastTs.value();
    if (last != null && ts <= last) {
      // Out of order or repeated: says nothing about the device being silent now.
      return;
    }
    String deviceId = ctx.getCurrentKey();
    if (Boolean.TRUE.equals(offline.value())) {
      offline.clear();
      out.collect(signal(deviceId, ts, SignalState.CLEAR, "device speaks again"));
    } else if (last != null && ts - last > deadline.value()) {
      // A gap in event time (a replay, or a live gap the wall clock did not see): the same
      // incident the live timer would have reported.
      wentOffline.inc();
      out.collect(offlineSignal(deviceId, last, deadline.value()));
      out.collect(signal(deviceId, ts, SignalState.CLEAR, "device speaks again"));
    }
    Device device = ctx.getBroadcastState(DeviceRegistry.STATE).get(deviceId);
    long heartbeatMs =
        device != null && device.getHeartbeatSeconds() != null && device.getHeartbeatSeconds() > 0
            ? device.getHeartbeatSeconds() * 1000L
            : defaultHeartbeat.toMillis();
    long deadlineMs = heartbeatMs * factor;
    lastTs.update(ts);
    deadline.update(deadlineMs);
    Long current = timer.value();
    if (current != null) {
      ctx.timerService().deleteProcessingTimeTimer(current);
    }
    long at = ctx.timerService().currentProcessingTime() + deadlineMs;
    ctx.timerService().registerProcessingTimeTimer(at);
    timer.update(at);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Signal> out) throws Exception {
    timer.clear();
    if (ctx.timerService().currentProcessingTime() < timestamp) {
      // Fired before its time: the end of a bounded input in BATCH mode (a replay), which is no
      // silence of the device; there the gaps between its timestamps tell.
      return;
    }
    Long last = lastTs.value();
    if (last == null || Boolean.TRUE.equals(offline.value())) {
      return;
    }
    offline.update(true);
    wentOffline.inc();
    out.collect(offlineSignal(ctx.getCurrentKey(), last, deadline.value()));
  }

  @Override
  public void processBroadcastElement(DeviceUpdate update, Context ctx, Collector<Signal> out)
      throws Exception {
    if (update.isDeletion()) {
      ctx.getBroadcastState(DeviceRegistry.STATE).remove(update.getDeviceId());
    } else {
      ctx.getBroadcastState(DeviceRegistry.STATE).put(update.getDeviceId(), update.getDevice());
    }
  }

  private Signal offlineSignal(String deviceId, long last, long deadlineMs) {
    return signal(
        deviceId,
        last + deadlineMs,
        SignalState.ACTIVE,
        "no message for " + Duration.ofMillis(deadlineMs).toSeconds() + " s");
  }

  private Signal signal(String deviceId, long ts, SignalState state, String message) {
    Signal signal =
        new Signal(
            RULE,
            deviceId,
            null,
            state == SignalState.ACTIVE ? severity : null,
            ts,
            null,
            message,
            state);
    signal.setType("offline");
    return signal;
  }
}
