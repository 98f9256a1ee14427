package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Tumbling windows per device, closed on that device's own event time.
 *
 * <p>Flink's event-time windows close on the operator's watermark: the minimum over the source
 * partitions of each partition's newest {@code ts} minus the out-of-orderness. So every device on a
 * partition shares one clock: a device whose clock runs fast makes its neighbours late, and a
 * partition that carries only rejected records (which do not move the watermark) holds every window
 * back. Here each device has its own watermark, its newest {@code ts} minus {@code outOfOrderness},
 * kept in keyed state with its open windows and the end of its last closed window ({@link
 * DeviceTime}). A window closes (is emitted once, finally) when the device's watermark passes its
 * end plus the allowed lateness; a record for a closed window is a dead letter {@code late}.
 * Nothing of it depends on other devices, on partitions or on Flink's watermark, and because it is
 * keyed state it survives a restore: a record late before a failure is late after it.
 *
 * <p>A device that goes silent would keep its last window open forever; one processing-time timer
 * per device (only while it has open windows) closes them after {@code idleTimeout} without
 * records. At the end of a bounded input (Flink's final watermark) every open window closes.
 */
public final class DeviceWindowFunction
    extends KeyedProcessFunction<String, Telemetry, TelemetryAggregate> {

  /**
   * Dead letters of this operator: telemetry for a window its device has already closed ({@code
   * late}) and telemetry beyond the device's metric cap ({@code too_many_metrics}).
   */
  public static final OutputTag<DeadLetter> LATE =
      new OutputTag<>("telemetry-late", DeadLetters.TYPE);

  private final long sizeMs;
  private final long outOfOrdernessMs;
  private final long allowedLatenessMs;
  private final long idleTimeoutMs;
  private final int maxMetrics;
  private final String sourceTopic;
  private transient ValueState<DeviceTime> state;
  private transient Counter late;
  private transient Counter idleClosed;
  private transient Counter tooManyMetrics;
  // Processing time of this instance's first callback: after a restore, devices' lastSeen is from
  // before the outage, and the backlog being replayed must not find its windows closed by idleness.
  private transient long startedAt;

  public DeviceWindowFunction(
      Duration size,
      Duration outOfOrderness,
      Duration allowedLateness,
      Duration idleTimeout,
      int maxMetrics,
      String sourceTopic) {
    this.sizeMs = size.toMillis();
    this.outOfOrdernessMs = outOfOrderness.toMillis();
    this.allowedLatenessMs = allowedLateness.toMillis();
    this.idleTimeoutMs = idleTimeout.toMillis();
    this.maxMetrics = maxMetrics;
    this.sourceTopic = sourceTopic;
  }

  @Override
  public void open(OpenContext openContext) {
    state =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("device-time", TypeInformation.of(DeviceTime.class)));
    late = getRuntimeContext().getMetricGroup().counter("telemetryLate");
    idleClosed = getRuntimeContext().getMetricGroup().counter("windowsClosedIdle");
    tooManyMetrics = getRuntimeContext().getMetricGroup().counter("telemetryTooManyMetrics");
    startedAt = Long.MIN_VALUE;
  }

  private long startedAt(long now) {
    if (startedAt == Long.MIN_VALUE) {
      startedAt = now;
    }
    return startedAt;
  }

  @Override
  public void processElement(Telemetry telemetry, Context ctx, Collector<TelemetryAggregate> out)
      throws Exception {
    DeviceTime device = state.value();
    if (device == null) {
      device = new DeviceTime();
      // Fires only on the final watermark of a bounded input (or stop --drain): flush.
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }
    long ts = telemetry.getTs();
    long start = ts - Math.floorMod(ts, sizeMs);
    if (start + sizeMs <= device.getClosedUpTo()) {
      late.inc();
      ctx.output(LATE, lateLetter(telemetry, device, start));
      return;
    }
    if (!admitMetrics(telemetry, device)) {
      tooManyMetrics.inc();
      ctx.output(
          LATE,
          TelemetryDeadLetters.of(
              telemetry,
              RejectReason.TOO_MANY_METRICS,
              "device "
                  + telemetry.getDeviceId()
                  + " would have more than "
                  + maxMetrics
                  + " distinct metric names (telemetry.max-metrics-per-device)",
              sourceTopic));
      state.update(device);
      return;
    }
    DeviceMetricsAggregator.fold(telemetry, device.window(start));
    if (ts > device.getMaxTs()) {
      device.setMaxTs(ts);
      long end = closableEnd(ts);
      // Most records move the device's time within its current window: nothing can close then,
      // and the open windows are not iterated.
      if (end > device.getClosedUpTo()) {
        closeUpTo(ctx.getCurrentKey(), device, end, out);
      }
    }
    long now = ctx.timerService().currentProcessingTime();
    startedAt(now);
    device.setLastSeen(now);
    if (device.windowCount() > 0 && device.getIdleTimerAt() == Long.MIN_VALUE) {
      device.setIdleTimerAt(now + idleTimeoutMs);
      ctx.timerService().registerProcessingTimeTimer(now + idleTimeoutMs);
    }
    state.update(device);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<TelemetryAggregate> out)
      throws Exception {
    DeviceTime device = state.value();
    if (device == null) {
      return;
    }
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      closeUpTo(ctx.getCurrentKey(), device, Long.MAX_VALUE, out);
    } else if (timestamp == device.getIdleTimerAt()) {
      long idleSince =
          Math.max(device.getLastSeen(), startedAt(ctx.timerService().currentProcessingTime()))
              + idleTimeoutMs;
      if (timestamp >= idleSince) {
        idleClosed.inc(device.windowCount());
        closeUpTo(ctx.getCurrentKey(), device, Long.MAX_VALUE, out);
        device.setIdleTimerAt(Long.MIN_VALUE);
      } else {
        // Records came in since the timer was set: one timer per device, moved on lazily rather
        // than re-registered for every record.
        device.setIdleTimerAt(idleSince);
        ctx.timerService().registerProcessingTimeTimer(idleSince);
      }
    }
    state.update(device);
  }

  /**
   * Remembers the record's new metric names, unless they would take the device beyond {@code
   * maxMetrics}: a device cannot grow its state (and InfluxDB's series) without bound.
   */
  private boolean admitMetrics(Telemetry telemetry, DeviceTime device) {
    java.util.List<String> known = device.getMetricNames();
    int fresh = 0;
    for (String name : telemetry.getMetrics().keySet()) {
      if (!known.contains(name)) {
        fresh++;
      }
    }
    if (fresh == 0) {
      return true;
    }
    if (known.size() + fresh > maxMetrics) {
      return false;
    }
    for (String name : telemetry.getMetrics().keySet()) {
      if (!known.contains(name)) {
        known.add(name);
      }
    }
    return true;
  }

  /** The end of the newest window the device's watermark (from {@code maxTs}) has closed. */
  private long closableEnd(long maxTs) {
    long watermark = maxTs - outOfOrdernessMs;
    // Flink's rule: a window closes once the watermark reaches its last millisecond plus the
    // allowed lateness.
    long limit = watermark + 1 - allowedLatenessMs;
    return limit - Math.floorMod(limit, sizeMs);
  }

  /**
   * Emits and removes every open window ending at or before {@code end}, and marks everything up to
   * there closed ({@code Long.MAX_VALUE}: all open windows, the marker at the last of them).
   */
  private void closeUpTo(
      String deviceId, DeviceTime device, long end, Collector<TelemetryAggregate> out) {
    long[] closed = {end == Long.MAX_VALUE ? device.getClosedUpTo() : end};
    // A window ending at or before end starts at or before end - size (no overflow at MAX_VALUE).
    device.removeWindowsUpTo(
        end - sizeMs,
        (start, window) -> {
          AggregateEmitter.emit(deviceId, start, start + sizeMs, window, out);
          closed[0] = Math.max(closed[0], start + sizeMs);
        });
    device.setClosedUpTo(Math.max(device.getClosedUpTo(), closed[0]));
  }

  private DeadLetter lateLetter(Telemetry telemetry, DeviceTime device, long start) {
    String detail =
        "ts "
            + telemetry.getTs()
            + " falls in window ["
            + start
            + ", "
            + (start + sizeMs)
            + ") which device "
            + telemetry.getDeviceId()
            + " has already closed (closed up to "
            + device.getClosedUpTo()
            + ", device watermark "
            + (device.getMaxTs() - outOfOrdernessMs)
            + ")";
    return TelemetryDeadLetters.of(telemetry, RejectReason.LATE, detail, sourceTopic);
  }
}
