package io.fleetpulse.jobs.influx;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.fleetpulse.connectors.influxdb.ExtraTags;
import io.fleetpulse.connectors.influxdb.InfluxDbSink;
import io.fleetpulse.connectors.influxdb.PointConverter;
import io.fleetpulse.connectors.influxdb.PointConverters;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.List;

/** The TelemetryJob's InfluxDB sinks, tagged with the device registry's enrichment. */
public final class InfluxSinks {

  private InfluxSinks() {}

  /** {@code telemetry_agg}: tags device, metric, type, site, status; time = window start. */
  public static InfluxDbSink<TelemetryAggregate> aggregates(InfluxConfig config) {
    return InfluxDbSink.<TelemetryAggregate>builder()
        .options(config.options())
        .pointConverter(PointConverters.aggregates(aggregateTags()))
        .build();
  }

  /**
   * {@code telemetry_trend}: sliding-window statistics, one point per device and metric at the
   * window's end, with the same tags.
   */
  public static InfluxDbSink<TelemetryAggregate> trends(InfluxConfig config) {
    ExtraTags<TelemetryAggregate> tags = aggregateTags();
    PointConverter<TelemetryAggregate> converter =
        a -> {
          Point point =
              Point.measurement("telemetry_trend")
                  .addTag("device", a.getDeviceId())
                  .addTag("metric", a.getMetric());
          tags.tagsOf(a).forEach(point::addTag);
          return List.of(
              point
                  .addField("count", a.getCount())
                  .addField("min", a.getMin())
                  .addField("max", a.getMax())
                  .addField("avg", a.getAvg())
                  .time(a.getWindowEnd(), WritePrecision.MS));
        };
    return InfluxDbSink.<TelemetryAggregate>builder()
        .options(config.options())
        .pointConverter(converter)
        .build();
  }

  private static ExtraTags<TelemetryAggregate> aggregateTags() {
    return ExtraTags.tag("type", TelemetryAggregate::getType)
        .and(ExtraTags.tag("site", TelemetryAggregate::getSite))
        .and(ExtraTags.tag("status", TelemetryAggregate::getStatus));
  }

  /** {@code telemetry}: one point per message, a field per metric, the same tags. */
  public static InfluxDbSink<Telemetry> telemetry(InfluxConfig config) {
    return InfluxDbSink.<Telemetry>builder()
        .options(config.options())
        .pointConverter(
            PointConverters.telemetry(
                ExtraTags.tag("type", Telemetry::getType)
                    .and(ExtraTags.tag("site", Telemetry::getSite))
                    .and(ExtraTags.tag("status", Telemetry::getStatus))))
        .build();
  }
}
