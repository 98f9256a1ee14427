package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;

/**
 * The sliding trend windows, on Flink's (per-partition) watermark: a smoothing view for dashboards.
 * The tumbling device windows are {@link DeviceWindows}, on each device's own event time.
 */
public final class TelemetryWindows {

  private TelemetryWindows() {}

  /**
   * Sliding windows of {@code size} every {@code slide} for trends; records too late for them are
   * already counted and dead-lettered by the tumbling window.
   */
  public static SingleOutputStreamOperator<TelemetryAggregate> trend(
      KeyedStream<Telemetry, String> telemetry,
      Duration size,
      Duration slide,
      Duration allowedLateness) {
    return telemetry
        .window(SlidingEventTimeWindows.of(size, slide))
        .allowedLateness(allowedLateness)
        .aggregate(new DeviceMetricsAggregator(), new AggregateEmitter())
        .name("trend-window")
        .uid("telemetry-trend-window");
  }
}
