package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;

/**
 * Tumbling windows per device, closed on that device's own event time: the window step of {@link
 * DeviceTelemetryFunction}, on a {@link DeviceTime} it is handed (no Flink state of its own).
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
public final class DeviceWindows implements Serializable {

  private static final long serialVersionUID = 1L;

  private final long sizeMs;
  private final long outOfOrdernessMs;
  private final long allowedLatenessMs;
  private final long idleTimeoutMs;
  private final int maxMetrics;
  private final String sourceTopic;
  private transient Counter late;
  private transient Counter idleClosed;
  private transient Counter tooManyMetrics;
  // Processing time of this instance's first callback: after a restore, devices' lastSeen is from
  // before the outage, and the backlog being replayed must not find its windows closed by idleness.
  private transient long startedAt;

  public DeviceWindows(
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

  /** Registers this step's counters; called once from the operator's {@code open}. */
  void open(MetricGroup metrics) {
    late = metrics.counter("telemetryLate");
    idleClosed = metrics.counter("windowsClosedIdle");
    tooManyMetrics = metrics.counter("telemetryTooManyMetrics");
    startedAt = Long.MIN_VALUE;
  }

  private long startedAt(long now) {
    if (startedAt == Long.MIN_VALUE) {
      startedAt = now;
    }
    return startedAt;
  }

  /** Called once for a device seen for the first time: its flush at the final watermark. */
  void opened(TimerService timers) {
    // Fires only on the final watermark of a bounded input (or stop --drain): flush.
    timers.registerEventTimeTimer(Long.MAX_VALUE);
  }

  /**
   * Folds one record of {@code deviceId} into its window, closing what the device's new time
   * closes. Returns null, or the dead letter of a record for a closed window ({@code late}) or
   * beyond the metric cap ({@code too_many_metrics}).
   */
  DeadLetter add(
      String deviceId,
      Telemetry telemetry,
      DeviceTime device,
      TimerService timers,
      Collector<TelemetryAggregate> out) {
    long ts = telemetry.getTs();
    long start = ts - Math.floorMod(ts, sizeMs);
    if (start + sizeMs <= device.getClosedUpTo()) {
      late.inc();
      return lateLetter(telemetry, device, start);
    }
    if (!admitMetrics(telemetry, device)) {
      tooManyMetrics.inc();
      return TelemetryDeadLetters.of(
          telemetry,
          RejectReason.TOO_MANY_METRICS,
          "device "
              + telemetry.getDeviceId()
              + " would have more than "
              + maxMetrics
              + " distinct metric names (telemetry.max-metrics-per-device)",
          sourceTopic);
    }
    DeviceMetricsAggregator.fold(telemetry, device.window(start));
    if (ts > device.getMaxTs()) {
      device.setMaxTs(ts);
      long end = closableEnd(ts);
      // Most records move the device's time within its current window: nothing can close then,
      // and the open windows are not iterated.
      if (end > device.getClosedUpTo()) {
        closeUpTo(deviceId, device, end, out);
      }
    }
    long now = timers.currentProcessingTime();
    startedAt(now);
    device.setLastSeen(now);
    if (device.windowCount() > 0 && device.getIdleTimerAt() == Long.MIN_VALUE) {
      device.setIdleTimerAt(now + idleTimeoutMs);
      timers.registerProcessingTimeTimer(now + idleTimeoutMs);
    }
    return null;
  }

  /** The final watermark: closes every open window. */
  void onFinalWatermark(String deviceId, DeviceTime device, Collector<TelemetryAggregate> out) {
    closeUpTo(deviceId, device, Long.MAX_VALUE, out);
  }

  /**
   * A processing-time timer at {@code timestamp}: when it is the device's idle safeguard and the
   * device has been silent for the idle timeout, closes its open windows; otherwise moves the one
   * timer on.
   */
  void onProcessingTime(
      long timestamp,
      String deviceId,
      DeviceTime device,
      TimerService timers,
      Collector<TelemetryAggregate> out) {
    if (timestamp != device.getIdleTimerAt()) {
      return;
    }
    long idleSince =
        Math.max(device.getLastSeen(), startedAt(timers.currentProcessingTime())) + idleTimeoutMs;
    if (timestamp >= idleSince) {
      idleClosed.inc(device.windowCount());
      closeUpTo(deviceId, device, Long.MAX_VALUE, out);
      device.setIdleTimerAt(Long.MIN_VALUE);
    } else {
      // Records came in since the timer was set: one timer per device, moved on lazily rather
      // than re-registered for every record.
      device.setIdleTimerAt(idleSince);
      timers.registerProcessingTimeTimer(idleSince);
    }
  }

  /**
   * Remembers the record's new metric names, unless they would take the device beyond {@code
   * maxMetrics}: a device cannot grow its state (and InfluxDB's series) without bound.
   */
  private boolean admitMetrics(Telemetry telemetry, DeviceTime device) {
    List<String> known = device.getMetricNames();
    if (telemetry.getMetrics() instanceof MetricArray array && knowsAll(known, array)) {
      // The common case, by index: every name is known already.
      return true;
    }
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

  private static boolean knowsAll(List<String> known, MetricArray metrics) {
    for (int i = 0; i < metrics.size(); i++) {
      if (!known.contains(metrics.name(i))) {
        return false;
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
