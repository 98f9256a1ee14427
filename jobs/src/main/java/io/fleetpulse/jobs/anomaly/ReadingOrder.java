package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.Telemetry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Puts each device's readings in its event-time order before the detectors, and tags them with the
 * device's registry type when they carry none (per-type rules).
 *
 * <p>A reading waits until the device's newest {@code ts} is {@code boundMs} past it, or until
 * {@code boundMs} of wall-clock time have passed (a device that went quiet); readings are then
 * released sorted by {@code ts}. A reading older than one already released is late: dropped and
 * counted, so every detector sees each device's time move forward only. With a bound of 0 readings
 * pass at once (no state beyond the last released time).
 */
public final class ReadingOrder
    extends KeyedBroadcastProcessFunction<String, Telemetry, DeviceUpdate, Telemetry> {

  private final long boundMs;
  private transient ListState<Telemetry> buffer;
  private transient ValueState<Long> newest;
  private transient ValueState<Long> released;
  private transient ValueState<Long> wallAtNewest;
  private transient ValueState<Long> timer;
  private transient Counter late;
  private transient Counter reordered;

  public ReadingOrder(long boundMs) {
    this.boundMs = boundMs;
  }

  @Override
  public void open(OpenContext openContext) {
    var rc = getRuntimeContext();
    buffer = rc.getListState(new ListStateDescriptor<>("order-buffer", ModelTypes.TELEMETRY));
    newest = rc.getState(new ValueStateDescriptor<>("order-newest", Types.LONG));
    released = rc.getState(new ValueStateDescriptor<>("order-released", Types.LONG));
    wallAtNewest = rc.getState(new ValueStateDescriptor<>("order-newest-wall", Types.LONG));
    timer = rc.getState(new ValueStateDescriptor<>("order-timer", Types.LONG));
    late = rc.getMetricGroup().counter("readingsLate");
    reordered = rc.getMetricGroup().counter("readingsReordered");
  }

  @Override
  public void processElement(Telemetry reading, ReadOnlyContext ctx, Collector<Telemetry> out)
      throws Exception {
    long ts = reading.getTs();
    Long releasedTs = released.value();
    if (releasedTs != null && ts < releasedTs) {
      late.inc();
      return;
    }
    if (reading.getType() == null) {
      Device device = ctx.getBroadcastState(DeviceRegistry.STATE).get(ctx.getCurrentKey());
      if (device != null) {
        reading.setType(device.getType());
      }
    }
    if (boundMs == 0) {
      released.update(ts);
      out.collect(reading);
      return;
    }
    Long known = newest.value();
    if (known != null && ts < known) {
      reordered.inc();
    }
    long now = known == null ? ts : Math.max(known, ts);
    if (known == null || ts > known) {
      newest.update(now);
      wallAtNewest.update(ctx.timerService().currentProcessingTime());
    }
    buffer.add(reading);
    Long oldest = release(now - boundMs, out);
    if (oldest != null && timer.value() == null) {
      long at = ctx.timerService().currentProcessingTime() + Math.max(1, oldest - (now - boundMs));
      ctx.timerService().registerProcessingTimeTimer(at);
      timer.update(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Telemetry> out)
      throws Exception {
    timer.clear();
    // The device's time moves on with the wall clock while it is quiet, as in the lifecycle.
    long upTo = newest.value() - boundMs + Math.max(0, timestamp - wallAtNewest.value());
    Long oldest = release(upTo, out);
    if (oldest != null) {
      long at = timestamp + Math.max(1, oldest - upTo);
      ctx.timerService().registerProcessingTimeTimer(at);
      timer.update(at);
    }
  }

  @Override
  public void processBroadcastElement(DeviceUpdate update, Context ctx, Collector<Telemetry> out)
      throws Exception {
    RegistryUpdates.apply(update, ctx.getBroadcastState(DeviceRegistry.STATE));
  }

  /** Releases what is due by {@code upTo}; the ts of the oldest reading still waiting, or null. */
  private Long release(long upTo, Collector<Telemetry> out) throws Exception {
    List<Telemetry> waiting = new ArrayList<>();
    Long oldest = null;
    for (Telemetry t : buffer.get()) {
      waiting.add(t);
      oldest = oldest == null ? t.getTs() : Math.min(oldest, t.getTs());
    }
    if (oldest == null || oldest > upTo) {
      return oldest;
    }
    // Stable: readings with the same ts keep their arrival order.
    waiting.sort(Comparator.comparingLong(Telemetry::getTs));
    List<Telemetry> kept = new ArrayList<>();
    Long last = released.value();
    for (Telemetry t : waiting) {
      if (t.getTs() <= upTo) {
        out.collect(t);
        last = t.getTs();
      } else {
        kept.add(t);
      }
    }
    released.update(last);
    buffer.update(kept);
    return kept.isEmpty() ? null : kept.get(0).getTs();
  }
}
