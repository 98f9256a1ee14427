package io.fleetpulse.jobs.influx;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.fleetpulse.connectors.influxdb.PointConverter;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How FleetPulse's records become InfluxDB points: window aggregates, trends, raw telemetry. */
public final class TelemetryPoints {

  /** Measurement of tumbling-window aggregates. */
  public static final String AGGREGATE_MEASUREMENT = "telemetry_agg";

  /** Measurement of sliding trend windows. */
  public static final String TREND_MEASUREMENT = "telemetry_trend";

  /** Measurement of raw telemetry. */
  public static final String TELEMETRY_MEASUREMENT = "telemetry";

  private TelemetryPoints() {}

  /**
   * One {@code telemetry_agg} point per aggregate: tags {@code device}, {@code metric} and {@code
   * extraTags}; fields {@code count, min, max, avg, last}; time = window start in milliseconds.
   */
  public static PointConverter<TelemetryAggregate> aggregates(
      ExtraTags<TelemetryAggregate> extraTags) {
    return windows(AGGREGATE_MEASUREMENT, false, extraTags);
  }

  /**
   * One {@code telemetry_trend} point per sliding window, built like {@link #aggregates} but at the
   * window's end: a trend is read as "the last 15 minutes, as of then".
   */
  public static PointConverter<TelemetryAggregate> trends(ExtraTags<TelemetryAggregate> extraTags) {
    return windows(TREND_MEASUREMENT, true, extraTags);
  }

  private static PointConverter<TelemetryAggregate> windows(
      String measurement, boolean atWindowEnd, ExtraTags<TelemetryAggregate> extraTags) {
    Objects.requireNonNull(extraTags, "extraTags");
    return a -> {
      Point point =
          Point.measurement(measurement)
              .addTag("device", a.getDeviceId())
              .addTag("metric", a.getMetric());
      addTags(point, extraTags.tagsOf(a));
      point
          .addField("count", a.getCount())
          .addField("min", a.getMin())
          .addField("max", a.getMax())
          .addField("avg", a.getAvg())
          .addField("last", a.getLast())
          .time(atWindowEnd ? a.getWindowEnd() : a.getWindowStart(), WritePrecision.MS);
      return List.of(point);
    };
  }

  /**
   * One {@code telemetry} point per message: tag {@code device} and {@code extraTags}, one field
   * per metric, time = event time in milliseconds. A message without metrics yields no point.
   */
  public static PointConverter<Telemetry> telemetry(ExtraTags<Telemetry> extraTags) {
    Objects.requireNonNull(extraTags, "extraTags");
    return t -> {
      Map<String, Double> metrics = t.getMetrics();
      if (metrics == null || metrics.isEmpty()) {
        return List.of();
      }
      Point point = Point.measurement(TELEMETRY_MEASUREMENT).addTag("device", t.getDeviceId());
      addTags(point, extraTags.tagsOf(t));
      for (Map.Entry<String, Double> metric : metrics.entrySet()) {
        if (metric.getValue() != null) {
          point.addField(metric.getKey(), metric.getValue());
        }
      }
      point.time(t.getTs(), WritePrecision.MS);
      return List.of(point);
    };
  }

  private static void addTags(Point point, Map<String, String> tags) {
    if (tags == null) {
      return;
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      if (tag.getKey() != null && tag.getValue() != null && !tag.getValue().isEmpty()) {
        point.addTag(tag.getKey(), tag.getValue());
      }
    }
  }
}
