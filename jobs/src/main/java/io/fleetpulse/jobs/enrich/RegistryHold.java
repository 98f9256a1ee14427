package io.fleetpulse.jobs.enrich;

import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry hold of a fresh start, for a keyed operator that also reads the registry as a
 * broadcast input.
 *
 * <p>On a fresh start the registry and the telemetry are read at the same time, so the first
 * records of a known device could be tagged {@code unregistered}. With {@link RegistryEndOffsets},
 * telemetry is held in keyed state (so a checkpoint loses none of it) until every registry
 * partition has been read to where it ended at the start, or {@code holdTimeout} passed (counted in
 * {@code registryHoldTimeouts}); an empty registry holds nothing. A restore holds nothing either:
 * the registry is part of the restored state. Once the registry is read, a device's held records go
 * on with its next record, or at the latest with its timer at the end of the hold's time bound;
 * each device's order is kept.
 */
public final class RegistryHold implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final Logger LOG = LoggerFactory.getLogger(RegistryHold.class);

  /** Telemetry held (per device) while the registry is read to its end at a fresh start. */
  static final ListStateDescriptor<Telemetry> HELD =
      new ListStateDescriptor<>("registry-hold", ModelTypes.TELEMETRY);

  /** A time not yet taken from the operator's clock. */
  private static final long UNSET = Long.MIN_VALUE + 1;

  private final RegistryEndOffsets registryEnd;
  private final long holdTimeoutMs;
  private transient ListState<Telemetry> held;
  private transient Counter heldRecords;
  private transient Counter holdTimeouts;
  private transient boolean restored;
  private transient boolean holding;
  private transient long holdStartedAt;
  private transient long holdDeadline;
  private transient long holdMs;
  private transient Map<Integer, Long> registryPending;
  private transient long heldNow;
  private transient long checkHeldUntil;

  /**
   * On a fresh start (no restored state), telemetry waits until the registry has been read up to
   * {@code registryEnd}, at most {@code holdTimeout}; {@code registryEnd} null: nothing is held.
   */
  public RegistryHold(RegistryEndOffsets registryEnd, Duration holdTimeout) {
    this.registryEnd = registryEnd;
    this.holdTimeoutMs = holdTimeout.toMillis();
  }

  /** Whether the operator's state was restored (from its {@code initializeState}). */
  public void restored(boolean restored) {
    this.restored = restored;
  }

  /** Opens the held-telemetry state and the counters; decides whether to hold. */
  public void open(RuntimeContext context) {
    held = context.getListState(HELD);
    heldRecords = context.getMetricGroup().counter("telemetryHeldForRegistry");
    holdTimeouts = context.getMetricGroup().counter("registryHoldTimeouts");
    context
        .getMetricGroup()
        .gauge(
            "registryHoldMs", () -> holding ? System.currentTimeMillis() - holdStartedAt : holdMs);
    checkHeldUntil = Long.MIN_VALUE;
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

  /** True when {@code telemetry} of the current device was held: the caller is done with it. */
  public boolean hold(Telemetry telemetry, TimerService timers) throws Exception {
    if (!holding) {
      return false;
    }
    long now = timers.currentProcessingTime();
    if (holdDeadline == UNSET) {
      holdDeadline = now + holdTimeoutMs;
    }
    if (now < holdDeadline) {
      held.add(telemetry);
      heldNow++;
      heldRecords.inc();
      // One timer per held device (same time, so Flink keeps one): the bound of the hold.
      timers.registerProcessingTimeTimer(holdDeadline);
      return true;
    }
    endHold(true);
    return false;
  }

  /**
   * What the current device sent during the hold, in its order, to pass on before its new record
   * (removed from the state), or null; without a hold pending, no state is read.
   */
  public List<Telemetry> release(long now) throws Exception {
    if (checkHeldUntil == UNSET) {
      checkHeldUntil = now + holdTimeoutMs;
    }
    return heldNow > 0 || now < checkHeldUntil ? takeHeld() : null;
  }

  /**
   * A processing-time timer of the current device: ends a timed-out hold, then {@link #release}.
   */
  public List<Telemetry> onTimer(long timestamp) throws Exception {
    if (holding && timestamp >= holdDeadline) {
      endHold(true);
    }
    return takeHeld();
  }

  private List<Telemetry> takeHeld() throws Exception {
    Iterable<Telemetry> records = held.get();
    if (records == null) {
      return null;
    }
    List<Telemetry> out = new ArrayList<>();
    for (Telemetry t : records) {
      out.add(t);
    }
    if (out.isEmpty()) {
      return null;
    }
    heldNow = Math.max(0, heldNow - out.size());
    held.clear();
    return out;
  }

  /** A registry record at processing time {@code now}: the hold ends once all are read. */
  public void onRegistryUpdate(DeviceUpdate update, long now) {
    if (holding && holdDeadline == UNSET) {
      holdDeadline = now + holdTimeoutMs;
    }
    if (holding && registryPending != null) {
      Long end = registryPending.get(update.getPartition());
      if (end != null && update.getOffset() + 1 >= end) {
        registryPending.remove(update.getPartition());
      }
      if (registryPending.isEmpty()) {
        // Held telemetry is released from the keyed side (a device's next record, or its timer at
        // the deadline): the broadcast side has no current device.
        endHold(false);
      }
    }
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
}
