package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/** The per-device tumbling event-time window that computes count, min, max, avg and last. */
public final class TelemetryWindows {

  /** Telemetry that arrived after its window closed and its allowed lateness passed. */
  public static final OutputTag<Telemetry> LATE =
      new OutputTag<>("telemetry-late", ModelTypes.TELEMETRY);

  private TelemetryWindows() {}

  /**
   * Windows {@code telemetry} (keyed by device); late records go to {@link #LATE} on the returned
   * stream.
   */
  public static SingleOutputStreamOperator<TelemetryAggregate> aggregate(
      KeyedStream<Telemetry, String> telemetry, Duration size, Duration allowedLateness) {
    return telemetry
        .window(TumblingEventTimeWindows.of(size))
        .allowedLateness(allowedLateness)
        .sideOutputLateData(LATE)
        .aggregate(new DeviceMetricsAggregator(), new AggregateEmitter())
        .name("window-aggregate")
        .uid("telemetry-window");
  }

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
