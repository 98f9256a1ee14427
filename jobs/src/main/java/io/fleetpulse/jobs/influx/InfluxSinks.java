package io.fleetpulse.jobs.influx;

import io.fleetpulse.connectors.influxdb.InfluxDbSink;
import io.fleetpulse.connectors.influxdb.PointConverter;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;

/** The TelemetryJob's InfluxDB sinks, tagged with the device registry's enrichment. */
public final class InfluxSinks {

  private InfluxSinks() {}

  /** {@code telemetry_agg}: tags device, metric, type, site, status; time = window start. */
  public static InfluxDbSink<TelemetryAggregate> aggregates(InfluxConfig config) {
    return sink(config, TelemetryPoints.aggregates(aggregateTags()));
  }

  /** {@code telemetry_trend}: the same points at each sliding window's end. */
  public static InfluxDbSink<TelemetryAggregate> trends(InfluxConfig config) {
    return sink(config, TelemetryPoints.trends(aggregateTags()));
  }

  /** {@code telemetry}: one point per message, a field per metric, the same tags. */
  public static InfluxDbSink<Telemetry> telemetry(InfluxConfig config) {
    return sink(
        config,
        TelemetryPoints.telemetry(
            ExtraTags.tag("type", Telemetry::getType)
                .and(ExtraTags.tag("site", Telemetry::getSite))
                .and(ExtraTags.tag("status", Telemetry::getStatus))));
  }

  private static <T> InfluxDbSink<T> sink(InfluxConfig config, PointConverter<T> converter) {
    return InfluxDbSink.<T>builder().options(config.options()).pointConverter(converter).build();
  }

  private static ExtraTags<TelemetryAggregate> aggregateTags() {
    return ExtraTags.tag("type", TelemetryAggregate::getType)
        .and(ExtraTags.tag("site", TelemetryAggregate::getSite))
        .and(ExtraTags.tag("status", TelemetryAggregate::getStatus));
  }
}
