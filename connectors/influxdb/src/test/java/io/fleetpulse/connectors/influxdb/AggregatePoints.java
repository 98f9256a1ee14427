package io.fleetpulse.connectors.influxdb;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.fleetpulse.model.TelemetryAggregate;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** A converter for the sink's tests: aggregates as {@code telemetry_agg} points, tags given. */
final class AggregatePoints {

  /** Tags per aggregate, shippable with the sink. */
  interface Tags extends Serializable {
    Map<String, String> of(TelemetryAggregate aggregate);
  }

  private AggregatePoints() {}

  static PointConverter<TelemetryAggregate> withTags(Tags tags) {
    return a ->
        List.of(
            Point.measurement("telemetry_agg")
                .addTag("device", a.getDeviceId())
                .addTag("metric", a.getMetric())
                .addTags(tags.of(a))
                .addField("count", a.getCount())
                .addField("min", a.getMin())
                .addField("max", a.getMax())
                .addField("avg", a.getAvg())
                .addField("last", a.getLast())
                .time(a.getWindowStart(), WritePrecision.MS));
  }
}
