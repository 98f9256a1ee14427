package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * METRIC_MISSING rules on a device's time-ordered readings: a metric the device has sent is absent
 * from every reading for the rule's {@code for} of the device's own time. The ACTIVE carries the
 * time it went missing (last seen + {@code for}), so a replay gives the same alert id; the first
 * reading with the metric again sends CLEAR. A device that sends nothing at all is the offline
 * detector's case.
 */
public final class MetricMissingDetector extends KeyedProcessFunction<String, Telemetry, Signal> {

  /** The {@code type} of the alerts these signals raise. */
  public static final String TYPE = "metric_missing";

  private static final char SEPARATOR = '\u001f';

  private final List<MetricMissingRule> rules;
  private final boolean anyMetric;
  private transient MapState<String, Long> lastSeen;
  private transient MapState<String, Boolean> missing;
  private transient Counter wentMissing;

  public MetricMissingDetector(List<MetricMissingRule> rules) {
    this.rules = List.copyOf(rules);
    this.anyMetric = rules.stream().anyMatch(r -> r.metric() == null);
  }

  @Override
  public void open(OpenContext openContext) {
    var rc = getRuntimeContext();
    lastSeen =
        rc.getMapState(new MapStateDescriptor<>("metric-last-seen", Types.STRING, Types.LONG));
    missing =
        rc.getMapState(new MapStateDescriptor<>("metric-missing", Types.STRING, Types.BOOLEAN));
    wentMissing = rc.getMetricGroup().counter("metricsWentMissing");
  }

  @Override
  public void processElement(Telemetry reading, Context ctx, Collector<Signal> out)
      throws Exception {
    long ts = reading.getTs();
    for (String metric : reading.getMetrics().keySet()) {
      if (anyMetric || watched(metric)) {
        lastSeen.put(metric, ts);
      }
    }
    for (MetricMissingRule rule : rules) {
      if (!rule.appliesTo(reading.getType())) {
        continue;
      }
      List<String> metrics = new ArrayList<>();
      if (rule.metric() != null) {
        metrics.add(rule.metric());
      } else {
        lastSeen.keys().forEach(metrics::add);
      }
      for (String metric : metrics) {
        Long seen = lastSeen.get(metric);
        if (seen == null) {
          // Never sent: not a metric this device used to send.
          continue;
        }
        String key = rule.name() + SEPARATOR + metric;
        boolean isMissing = missing.contains(key);
        if (reading.getMetrics().containsKey(metric)) {
          if (isMissing) {
            missing.remove(key);
            out.collect(signal(rule, reading.getDeviceId(), metric, ts, SignalState.CLEAR));
          }
        } else if (!isMissing && ts - seen >= rule.forMs()) {
          missing.put(key, true);
          wentMissing.inc();
          out.collect(
              signal(rule, reading.getDeviceId(), metric, seen + rule.forMs(), SignalState.ACTIVE));
        }
      }
    }
  }

  private boolean watched(String metric) {
    for (MetricMissingRule rule : rules) {
      if (metric.equals(rule.metric())) {
        return true;
      }
    }
    return false;
  }

  private static Signal signal(
      MetricMissingRule rule, String deviceId, String metric, long ts, SignalState state) {
    Signal signal =
        new Signal(
            rule.name(),
            deviceId,
            metric,
            state == SignalState.ACTIVE ? rule.severity() : null,
            ts,
            null,
            state == SignalState.ACTIVE
                ? metric + " missing for " + Duration.ofMillis(rule.forMs()).toSeconds() + " s"
                : metric + " is reported again",
            state);
    signal.setType(TYPE);
    return signal;
  }
}
