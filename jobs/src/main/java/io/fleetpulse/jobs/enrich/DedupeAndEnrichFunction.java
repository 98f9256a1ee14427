package io.fleetpulse.jobs.enrich;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.telemetry.TelemetryDeadLetters;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops repeated messages, then tags telemetry with its device's registry entry (type, site,
 * firmware, status); telemetry of a recalled or disabled device goes to the dead letters.
 *
 * <p>On a fresh start the registry (a broadcast input) and the telemetry are read at the same time,
 * so the first records of a known device could be tagged {@code unregistered}. With {@link
 * RegistryEndOffsets}, telemetry is held in keyed state (so a checkpoint loses none of it) until
 * every registry partition has been read to where it ended at the start, or {@code holdTimeout}
 * passed (counted in {@code registryHoldTimeouts}); an empty registry holds nothing. A restore
 * holds nothing either: the registry is part of the restored state. Once the registry is read, a
 * device's held records go on with its next record, or at the latest with its timer at the end of
 * the hold's time bound; each device's order is kept.
 *
 * <p>Both steps live in one keyed operator so the pipeline shuffles by device only once.
 */
public final class DedupeAndEnrichFunction
    extends KeyedBroadcastProcessFunction<String, Telemetry, DeviceUpdate, Telemetry>
    implements CheckpointedFunction {

  /** Telemetry refused because of its device's registry status. */
  public static final OutputTag<DeadLetter> REFUSED =
      new OutputTag<>("telemetry-refused", DeadLetters.TYPE);

  /** How many recent messages per device dedupe remembers. */
  public static final int DEDUPE_WINDOW = 64;

  private static final Logger LOG = LoggerFactory.getLogger(DedupeAndEnrichFunction.class);

  /** Telemetry held (per device) while the registry is read to its end at a fresh start. */
  static final ListStateDescriptor<Telemetry> HELD =
      new ListStateDescriptor<>("registry-hold", ModelTypes.TELEMETRY);

  private final Duration dedupeHorizon;
  private final String sourceTopic;
  private final RegistryEndOffsets registryEnd;
  private final long holdTimeoutMs;
  private transient Deduplicator deduplicator;
  private transient ListState<Telemetry> held;
  private transient Counter duplicates;
  private transient Counter unregistered;
  private transient Counter refused;
  private transient Counter registryUpdates;
  private transient Counter heldRecords;
  private transient Counter holdTimeouts;
  private transient boolean restored;
  private transient boolean holding;
  private transient long holdStartedAt;
  private transient long holdDeadline;
  private transient long holdMs;
  private transient Map<Integer, Long> registryPending;
  private transient long heldNow;
  private transient long checkHeldUntil = Long.MIN_VALUE;

  /** A time not yet taken from the operator's clock. */
  private static final long UNSET = Long.MIN_VALUE + 1;

  /** Without a registry hold: for tests whose registry is in place before any telemetry. */
  public DedupeAndEnrichFunction(Duration dedupeHorizon, String sourceTopic) {
    this(dedupeHorizon, sourceTopic, null, Duration.ZERO);
  }

  /**
   * With a registry hold: on a fresh start (no restored state), telemetry waits until the registry
   * has been read up to {@code registryEnd}, at most {@code holdTimeout}.
   */
  public DedupeAndEnrichFunction(
      Duration dedupeHorizon,
      String sourceTopic,
      RegistryEndOffsets registryEnd,
      Duration holdTimeout) {
    this.dedupeHorizon = dedupeHorizon;
    this.sourceTopic = sourceTopic;
    this.registryEnd = registryEnd;
    this.holdTimeoutMs = holdTimeout.toMillis();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {
    restored = context.isRestored();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    // Held telemetry is keyed state; nothing else to snapshot.
  }

  @Override
  public void open(OpenContext openContext) {
    deduplicator = new Deduplicator(getRuntimeContext(), dedupeHorizon, DEDUPE_WINDOW);
    held = getRuntimeContext().getListState(HELD);
    duplicates = getRuntimeContext().getMetricGroup().counter("telemetryDuplicates");
    unregistered = getRuntimeContext().getMetricGroup().counter("telemetryUnregistered");
    refused = getRuntimeContext().getMetricGroup().counter("telemetryRefused");
    registryUpdates = getRuntimeContext().getMetricGroup().counter("registryUpdates");
    heldRecords = getRuntimeContext().getMetricGroup().counter("telemetryHeldForRegistry");
    holdTimeouts = getRuntimeContext().getMetricGroup().counter("registryHoldTimeouts");
    getRuntimeContext()
        .getMetricGroup()
        .gauge(
            "registryHoldMs", () -> holding ? System.currentTimeMillis() - holdStartedAt : holdMs);
    if (restored) {
      // The registry is in the restored state already. Telemetry held when the job failed is
      // still there: its timers fire within one timeout, until then every key is checked.
      checkHeldUntil = UNSET;
      return;
    }
    if (registryEnd == null || holdTimeoutMs <= 0) {
      return;
    }
    try {
      registryPending = new HashMap<>(registryEnd.endOffsets());
    } catch (Exception e) {
      // Unavailable: hold for the timeout, then go on; the registry source retries meanwhile.
      LOG.warn(
          "Could not read the registry's end offsets; holding telemetry up to {} ms",
          holdTimeoutMs,
          e);
      registryPending = null;
    }
    if (registryPending != null && registryPending.isEmpty()) {
      // An empty registry: nothing to wait for.
      return;
    }
    holding = true;
    holdStartedAt = System.currentTimeMillis();
    // Set from the operator's processing-time clock with the first record of either input.
    holdDeadline = UNSET;
  }

  @Override
  public void processElement(Telemetry telemetry, ReadOnlyContext ctx, Collector<Telemetry> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    if (holding) {
      if (holdDeadline == UNSET) {
        holdDeadline = now + holdTimeoutMs;
      }
      if (now < holdDeadline) {
        held.add(telemetry);
        heldNow++;
        heldRecords.inc();
        // One timer per held device (same time, so Flink keeps one): the bound of the hold.
        ctx.timerService().registerProcessingTimeTimer(holdDeadline);
        return;
      }
      endHold(true);
    }
    if (checkHeldUntil == UNSET) {
      checkHeldUntil = now + holdTimeoutMs;
    }
    if (heldNow > 0 || now < checkHeldUntil) {
      // Keeps a device's order: what it sent during the hold goes first.
      releaseHeld(ctx.getBroadcastState(DeviceRegistry.STATE), ctx::output, out);
    }
    accept(telemetry, ctx.getBroadcastState(DeviceRegistry.STATE), ctx::output, out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Telemetry> out)
      throws Exception {
    if (holding && timestamp >= holdDeadline) {
      endHold(true);
    }
    releaseHeld(ctx.getBroadcastState(DeviceRegistry.STATE), ctx::output, out);
  }

  private void endHold(boolean timedOut) {
    holding = false;
    holdMs = System.currentTimeMillis() - holdStartedAt;
    if (timedOut) {
      holdTimeouts.inc();
      LOG.warn(
          "The device registry was not read to its end within {} ms; telemetry goes on, devices"
              + " not yet known are tagged unregistered",
          holdTimeoutMs);
    } else {
      LOG.info("Device registry read to its end after {} ms; releasing held telemetry", holdMs);
    }
  }

  /** Passes on what the current device sent during the hold, in its order. */
  private void releaseHeld(
      ReadOnlyBroadcastState<String, Device> registry,
      SideOutput refusals,
      Collector<Telemetry> out)
      throws Exception {
    Iterable<Telemetry> records = held.get();
    if (records == null) {
      return;
    }
    boolean any = false;
    for (Telemetry t : records) {
      any = true;
      heldNow = Math.max(0, heldNow - 1);
      accept(t, registry, refusals, out);
    }
    if (any) {
      held.clear();
    }
  }

  /** Where refused telemetry goes: the side output of whichever context is at hand. */
  private interface SideOutput {
    void output(OutputTag<DeadLetter> tag, DeadLetter letter);
  }

  private void accept(
      Telemetry telemetry,
      ReadOnlyBroadcastState<String, Device> registry,
      SideOutput refusals,
      Collector<Telemetry> out)
      throws Exception {
    if (!deduplicator.firstSighting(telemetry)) {
      duplicates.inc();
      return;
    }
    Device device = registry.get(telemetry.getDeviceId());
    if (device == null) {
      unregistered.inc();
      telemetry.setStatus(DeviceRegistry.UNREGISTERED);
      out.collect(telemetry);
      return;
    }
    DeviceStatus status = device.getStatus() == null ? DeviceStatus.ACTIVE : device.getStatus();
    if (status == DeviceStatus.RECALLED || status == DeviceStatus.DISABLED) {
      RejectReason reason =
          status == DeviceStatus.RECALLED
              ? RejectReason.DEVICE_RECALLED
              : RejectReason.DEVICE_DISABLED;
      refused.inc();
      refusals.output(
          REFUSED,
          TelemetryDeadLetters.of(
              telemetry, reason, "device is " + status + " in the registry", sourceTopic));
      return;
    }
    telemetry.setType(device.getType());
    telemetry.setSite(device.getSite());
    telemetry.setFirmware(device.getFirmware());
    telemetry.setStatus(status.name());
    out.collect(telemetry);
  }

  @Override
  public void processBroadcastElement(DeviceUpdate update, Context ctx, Collector<Telemetry> out)
      throws Exception {
    registryUpdates.inc();
    if (update.isDeletion()) {
      ctx.getBroadcastState(DeviceRegistry.STATE).remove(update.getDeviceId());
    } else {
      ctx.getBroadcastState(DeviceRegistry.STATE).put(update.getDeviceId(), update.getDevice());
    }
    if (holding && holdDeadline == UNSET) {
      holdDeadline = ctx.currentProcessingTime() + holdTimeoutMs;
    }
    if (holding && registryPending != null) {
      Long end = registryPending.get(update.getPartition());
      if (end != null && update.getOffset() + 1 >= end) {
        registryPending.remove(update.getPartition());
      }
      if (registryPending.isEmpty()) {
        // Held telemetry is released from the keyed side (a device's next record, or its timer at
        // the deadline): records emitted here, from the broadcast input, did not reach the
        // chained window operator's timers.
        endHold(false);
      }
    }
  }
}
