package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.model.Telemetry;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds a device's telemetry into per-metric statistics, incrementally, as records arrive. */
public final class DeviceMetricsAggregator
    implements AggregateFunction<Telemetry, DeviceWindowAccumulator, DeviceWindowAccumulator> {

  @Override
  public DeviceWindowAccumulator createAccumulator() {
    return new DeviceWindowAccumulator();
  }

  @Override
  public DeviceWindowAccumulator add(Telemetry telemetry, DeviceWindowAccumulator acc) {
    return fold(telemetry, acc);
  }

  /** Folds one record into {@code acc}: the one place a record meets a window. */
  static DeviceWindowAccumulator fold(Telemetry telemetry, DeviceWindowAccumulator acc) {
    long ts = telemetry.getTs();
    acc.updateTags(telemetry.getType(), telemetry.getSite(), telemetry.getStatus(), ts);
    for (Map.Entry<String, Double> metric : telemetry.getMetrics().entrySet()) {
      acc.getMetrics()
          .computeIfAbsent(metric.getKey(), k -> new MetricStats())
          .add(metric.getValue(), ts);
    }
    return acc;
  }

  @Override
  public DeviceWindowAccumulator getResult(DeviceWindowAccumulator acc) {
    return acc;
  }

  @Override
  public DeviceWindowAccumulator merge(DeviceWindowAccumulator a, DeviceWindowAccumulator b) {
    a.mergeTags(b);
    for (Map.Entry<String, MetricStats> metric : b.getMetrics().entrySet()) {
      MetricStats mine = a.getMetrics().get(metric.getKey());
      if (mine == null) {
        a.getMetrics().put(metric.getKey(), metric.getValue());
      } else {
        mine.merge(metric.getValue());
      }
    }
    return a;
  }
}
