package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.model.TelemetryAggregate;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a closed device window into one {@link TelemetryAggregate} per metric. */
public final class AggregateEmitter
    extends ProcessWindowFunction<DeviceWindowAccumulator, TelemetryAggregate, String, TimeWindow> {

  @Override
  public void process(
      String deviceId,
      Context context,
      Iterable<DeviceWindowAccumulator> accumulators,
      Collector<TelemetryAggregate> out) {
    TimeWindow window = context.window();
    for (DeviceWindowAccumulator acc : accumulators) {
      emit(deviceId, window.getStart(), window.getEnd(), acc, out);
    }
  }

  /** One aggregate per metric of the window {@code [start, end)} of {@code deviceId}. */
  static void emit(
      String deviceId,
      long start,
      long end,
      DeviceWindowAccumulator acc,
      Collector<TelemetryAggregate> out) {
    for (int i = 0; i < acc.size(); i++) {
      MetricStats s = acc.stats(i);
      TelemetryAggregate agg = new TelemetryAggregate();
      agg.setDeviceId(deviceId);
      agg.setMetric(acc.name(i));
      agg.setWindowStart(start);
      agg.setWindowEnd(end);
      agg.setCount(s.getCount());
      agg.setMin(s.getMin());
      agg.setMax(s.getMax());
      agg.setAvg(s.mean());
      agg.setLast(s.getLast());
      agg.setLastTs(s.getLastTs());
      agg.setType(acc.getType());
      agg.setSite(acc.getSite());
      agg.setStatus(acc.getStatus());
      out.collect(agg);
    }
  }
}
