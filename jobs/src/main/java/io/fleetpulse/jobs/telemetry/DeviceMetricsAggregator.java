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
    Map<String, Double> metrics = telemetry.getMetrics();
    if (metrics instanceof MetricArray array) {
      // The record's metrics by index: no iterator, no boxed values.
      for (int i = 0; i < array.size(); i++) {
        acc.stats(array.name(i)).add(array.value(i), ts);
      }
      return acc;
    }
    for (Map.Entry<String, Double> metric : metrics.entrySet()) {
      acc.stats(metric.getKey()).add(metric.getValue(), ts);
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
    for (int i = 0; i < b.size(); i++) {
      a.stats(b.name(i)).merge(b.stats(i));
    }
    return a;
  }
}
