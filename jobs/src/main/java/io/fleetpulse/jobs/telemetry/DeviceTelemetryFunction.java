package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.enrich.Deduplicator;
import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.enrich.RegistryHold;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The TelemetryJob's one keyed operator: per device, drop repeated messages ({@link Deduplicator}),
 * tag with the registry entry ({@link DeviceRegistry#tag}; recalled and disabled devices are
 * refused), and fold into tumbling windows on the device's own event time ({@link DeviceWindows}).
 * Its main output is the closed windows' aggregates; enriched telemetry goes to {@link #ENRICHED}
 * (when asked for), dead letters to {@link #REFUSED} and {@link #LATE}.
 *
 * <p>One operator with one state value per device ({@link DeviceState}: dedupe window, open
 * windows, closed marker, idle timer) instead of one operator per step: each record costs one state
 * read and one write and one key switch, and the registry hold of a fresh start ({@link
 * RegistryHold}) releases held records straight into the windows, whichever input or timer ends it.
 */
public final class DeviceTelemetryFunction
    extends KeyedBroadcastProcessFunction<String, Telemetry, DeviceUpdate, TelemetryAggregate>
    implements CheckpointedFunction {

  private static final long serialVersionUID = 1L;

  /** Enriched telemetry (registry tags added, repeats dropped), in each device's order. */
  public static final OutputTag<Telemetry> ENRICHED =
      new OutputTag<>("telemetry-enriched", TelemetryTypeInfo.INSTANCE);

  /** Telemetry refused because of its device's registry status. */
  public static final OutputTag<DeadLetter> REFUSED =
      new OutputTag<>("telemetry-refused", DeadLetters.TYPE);

  /**
   * Telemetry for a window its device has already closed ({@code late}) and telemetry beyond the
   * device's metric cap ({@code too_many_metrics}).
   */
  public static final OutputTag<DeadLetter> LATE =
      new OutputTag<>("telemetry-late", DeadLetters.TYPE);

  static final ValueStateDescriptor<DeviceState> STATE =
      new ValueStateDescriptor<>("device", TypeInformation.of(DeviceState.class));

  private final Deduplicator deduplicator;
  private final DeviceWindows windows;
  private final RegistryHold hold;
  private final String sourceTopic;
  private final boolean emitEnriched;
  private transient ValueState<DeviceState> state;
  private transient Counter duplicates;
  private transient Counter unregistered;
  private transient Counter refused;
  private transient Counter registryUpdates;
  // Counts this subtask's registry changes: a device's cached entry is good while it is unchanged.
  private transient long registryVersion;

  /**
   * {@code emitEnriched}: whether enriched telemetry goes to {@link #ENRICHED} (false when nothing
   * reads it: one side-output record fewer per record).
   */
  public DeviceTelemetryFunction(
      Deduplicator deduplicator,
      DeviceWindows windows,
      RegistryHold hold,
      String sourceTopic,
      boolean emitEnriched) {
    this.deduplicator = deduplicator;
    this.windows = windows;
    this.hold = hold;
    this.sourceTopic = sourceTopic;
    this.emitEnriched = emitEnriched;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {
    hold.restored(context.isRestored());
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    // Everything is keyed or broadcast state.
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(STATE);
    duplicates = getRuntimeContext().getMetricGroup().counter("telemetryDuplicates");
    unregistered = getRuntimeContext().getMetricGroup().counter("telemetryUnregistered");
    refused = getRuntimeContext().getMetricGroup().counter("telemetryRefused");
    registryUpdates = getRuntimeContext().getMetricGroup().counter("registryUpdates");
    windows.open(getRuntimeContext().getMetricGroup());
    hold.open(getRuntimeContext());
  }

  @Override
  public void processElement(
      Telemetry telemetry, ReadOnlyContext ctx, Collector<TelemetryAggregate> out)
      throws Exception {
    TimerService timers = ctx.timerService();
    if (hold.hold(telemetry, timers)) {
      return;
    }
    DeviceState device = device(timers);
    List<Telemetry> held = hold.release(timers.currentProcessingTime());
    if (held != null) {
      // Keeps a device's order: what it sent during the hold goes first.
      for (Telemetry t : held) {
        accept(ctx.getCurrentKey(), t, device, timers, ctx, out);
      }
    }
    accept(ctx.getCurrentKey(), telemetry, device, timers, ctx, out);
    state.update(device);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<TelemetryAggregate> out)
      throws Exception {
    DeviceState device = state.value();
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      if (device != null) {
        windows.onFinalWatermark(ctx.getCurrentKey(), device.getTime(), out);
        state.update(device);
      }
      return;
    }
    List<Telemetry> held = hold.onTimer(timestamp);
    if (held != null) {
      device = device(ctx.timerService());
      for (Telemetry t : held) {
        accept(ctx.getCurrentKey(), t, device, ctx.timerService(), ctx, out);
      }
    }
    if (device != null) {
      windows.onProcessingTime(
          timestamp, ctx.getCurrentKey(), device.getTime(), ctx.timerService(), out);
      state.update(device);
    }
  }

  /** The current device's state, new (with its final-watermark timer) when it has none. */
  private DeviceState device(TimerService timers) throws Exception {
    DeviceState device = state.value();
    if (device == null) {
      device = DeviceState.fresh();
      windows.opened(timers);
    }
    return device;
  }

  private void accept(
      String deviceId,
      Telemetry telemetry,
      DeviceState device,
      TimerService timers,
      ReadOnlyContext ctx,
      Collector<TelemetryAggregate> out)
      throws Exception {
    if (!deduplicator.firstSighting(device.getRecent(), telemetry)) {
      duplicates.inc();
      return;
    }
    Device entry;
    if (device.knowsRegistryEntry(registryVersion)) {
      entry = device.registryEntry();
    } else {
      // The broadcast state only when the registry has changed since the device's last record.
      ReadOnlyBroadcastState<String, Device> registry = ctx.getBroadcastState(DeviceRegistry.STATE);
      entry = device.lookedUp(registry.get(deviceId), registryVersion);
    }
    RejectReason refusal = DeviceRegistry.tag(telemetry, entry);
    if (refusal != null) {
      refused.inc();
      ctx.output(
          REFUSED,
          TelemetryDeadLetters.of(
              telemetry,
              refusal,
              "device is " + entry.getStatus() + " in the registry",
              sourceTopic));
      return;
    }
    if (entry == null) {
      unregistered.inc();
    }
    if (emitEnriched) {
      ctx.output(ENRICHED, telemetry);
    }
    DeadLetter late = windows.add(deviceId, telemetry, device.getTime(), timers, out);
    if (late != null) {
      ctx.output(LATE, late);
    }
  }

  @Override
  public void processBroadcastElement(
      DeviceUpdate update, Context ctx, Collector<TelemetryAggregate> out) throws Exception {
    registryUpdates.inc();
    registryVersion++;
    if (update.isDeletion()) {
      ctx.getBroadcastState(DeviceRegistry.STATE).remove(update.getDeviceId());
    } else {
      ctx.getBroadcastState(DeviceRegistry.STATE).put(update.getDeviceId(), update.getDevice());
    }
    hold.onRegistryUpdate(update, ctx.currentProcessingTime());
  }
}
