package io.fleetpulse.devstack.fleet;

import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tumbling-window aggregates a correct pipeline must produce for some telemetry, computed the
 * plain way, for tests to compare with what a job wrote.
 */
public final class ExpectedAggregates {

  private ExpectedAggregates() {}

  /** The key of one aggregate: device, metric and window start. */
  public static String key(String deviceId, String metric, long windowStart) {
    return deviceId + "|" + metric + "|" + windowStart;
  }

  /** The key of {@code aggregate}. */
  public static String key(TelemetryAggregate aggregate) {
    return key(aggregate.getDeviceId(), aggregate.getMetric(), aggregate.getWindowStart());
  }

  /**
   * Count, min, max, avg and last (by event time) of every metric of every device in every window
   * of {@code windowMs}, by {@link #key(String, String, long)}; enrichment tags are left empty.
   */
  public static Map<String, TelemetryAggregate> tumbling(List<Telemetry> telemetry, long windowMs) {
    Map<String, List<Telemetry>> byKey = new HashMap<>();
    Map<String, String> metricOf = new HashMap<>();
    for (Telemetry t : telemetry) {
      long start = Math.floorDiv(t.getTs(), windowMs) * windowMs;
      for (String metric : t.getMetrics().keySet()) {
        String key = key(t.getDeviceId(), metric, start);
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        metricOf.put(key, metric);
      }
    }
    Map<String, TelemetryAggregate> expected = new HashMap<>();
    byKey.forEach(
        (key, readings) -> {
          String metric = metricOf.get(key);
          readings.sort(Comparator.comparingLong(Telemetry::getTs));
          Telemetry first = readings.get(0);
          Telemetry last = readings.get(readings.size() - 1);
          long start = Math.floorDiv(first.getTs(), windowMs) * windowMs;
          TelemetryAggregate a = new TelemetryAggregate();
          a.setDeviceId(first.getDeviceId());
          a.setMetric(metric);
          a.setWindowStart(start);
          a.setWindowEnd(start + windowMs);
          a.setCount(readings.size());
          a.setMin(
              readings.stream().mapToDouble(r -> r.getMetrics().get(metric)).min().orElseThrow());
          a.setMax(
              readings.stream().mapToDouble(r -> r.getMetrics().get(metric)).max().orElseThrow());
          a.setAvg(
              readings.stream().mapToDouble(r -> r.getMetrics().get(metric)).sum()
                  / readings.size());
          a.setLast(last.getMetrics().get(metric));
          a.setLastTs(last.getTs());
          expected.put(key, a);
        });
    return expected;
  }
}
