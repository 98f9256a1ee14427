package io.fleetpulse.connectors.influxdb;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The converters FleetPulse writes with: window aggregates and raw telemetry. */
public final class PointConverters {

  /** Measurement of window aggregates. */
  public static final String AGGREGATE_MEASUREMENT = "telemetry_agg";

  /** Measurement of raw telemetry. */
  public static final String TELEMETRY_MEASUREMENT = "telemetry";

  private PointConverters() {}

  /** A function a converter can be shipped with. */
  @FunctionalInterface
  public interface SerializableFunction<A, B> extends Function<A, B>, Serializable {}

  /**
   * One {@code telemetry_agg} point per aggregate: tags {@code device}, {@code metric}; fields
   * {@code count, min, max, avg, last}; time = window start in milliseconds.
   */
  public static PointConverter<TelemetryAggregate> aggregates() {
    return aggregates(ExtraTags.none());
  }

  /** {@link #aggregates()} with extra tags (type, site, ...) computed per aggregate. */
  public static PointConverter<TelemetryAggregate> aggregates(
      ExtraTags<TelemetryAggregate> extraTags) {
    return aggregates(a -> a, extraTags);
  }

  /**
   * {@link #aggregates()} for a stream of elements that carry an aggregate, e.g. an aggregate
   * joined with its device: {@code aggregate} picks the aggregate, {@code extraTags} the tags.
   */
  public static <T> PointConverter<T> aggregates(
      SerializableFunction<T, TelemetryAggregate> aggregate, ExtraTags<T> extraTags) {
    Objects.requireNonNull(aggregate, "aggregate");
    Objects.requireNonNull(extraTags, "extraTags");
    return element -> {
      TelemetryAggregate a = aggregate.apply(element);
      Point point =
          Point.measurement(AGGREGATE_MEASUREMENT)
              .addTag("device", a.getDeviceId())
              .addTag("metric", a.getMetric());
      addTags(point, extraTags.tagsOf(element));
      point
          .addField("count", a.getCount())
          .addField("min", a.getMin())
          .addField("max", a.getMax())
          .addField("avg", a.getAvg())
          .addField("last", a.getLast())
          .time(a.getWindowStart(), WritePrecision.MS);
      return List.of(point);
    };
  }

  /**
   * One {@code telemetry} point per message: tag {@code device}, one field per metric, time = event
   * time in milliseconds. A message without metrics yields no point.
   */
  public static PointConverter<Telemetry> telemetry() {
    return telemetry(ExtraTags.none());
  }

  /** {@link #telemetry()} with extra tags (type, site, ...) computed per message. */
  public static PointConverter<Telemetry> telemetry(ExtraTags<Telemetry> extraTags) {
    return telemetry(t -> t, extraTags);
  }

  /** {@link #telemetry()} for a stream of elements that carry a telemetry message. */
  public static <T> PointConverter<T> telemetry(
      SerializableFunction<T, Telemetry> telemetry, ExtraTags<T> extraTags) {
    Objects.requireNonNull(telemetry, "telemetry");
    Objects.requireNonNull(extraTags, "extraTags");
    return element -> {
      Telemetry t = telemetry.apply(element);
      Map<String, Double> metrics = t.getMetrics();
      if (metrics == null || metrics.isEmpty()) {
        return List.of();
      }
      Point point = Point.measurement(TELEMETRY_MEASUREMENT).addTag("device", t.getDeviceId());
      addTags(point, extraTags.tagsOf(element));
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
