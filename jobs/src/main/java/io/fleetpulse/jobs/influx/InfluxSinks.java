package io.fleetpulse.jobs.influx;

import io.fleetpulse.connectors.influxdb.ExtraTags;
import io.fleetpulse.connectors.influxdb.InfluxDbSink;
import io.fleetpulse.connectors.influxdb.PointConverters;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;

/** The TelemetryJob's InfluxDB sinks, tagged with the device registry's enrichment. */
public final class InfluxSinks {

  private InfluxSinks() {}

  /** {@code telemetry_agg}: tags device, metric, type, site, status; time = window start. */
  public static InfluxDbSink<TelemetryAggregate> aggregates(InfluxConfig config) {
    return InfluxDbSink.<TelemetryAggregate>builder()
        .options(config.options())
        .pointConverter(
            PointConverters.aggregates(
                ExtraTags.tag("type", TelemetryAggregate::getType)
                    .and(ExtraTags.tag("site", TelemetryAggregate::getSite))
                    .and(ExtraTags.tag("status", TelemetryAggregate::getStatus))))
        .build();
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
