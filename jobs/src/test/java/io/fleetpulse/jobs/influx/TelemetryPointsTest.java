package io.fleetpulse.jobs.influx;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.write.Point;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TelemetryPointsTest {

  private static final TelemetryAggregate AGGREGATE =
      new TelemetryAggregate(
          "s-42", "temperature", 60_000, 120_000, 3, 20.5, 22.5, 21.5, 22, 119_000);

  @Test
  void anAggregateIsOneTelemetryAggPointAtItsWindowStart() {
    assertThat(lines(TelemetryPoints.aggregates(ExtraTags.none()).toPoints(AGGREGATE)))
        .containsExactly(
            "telemetry_agg,device=s-42,metric=temperature"
                + " avg=21.5,count=3i,last=22.0,max=22.5,min=20.5 60000");
  }

  @Test
  void anAggregateCarriesTheExtraTagsThatArePresent() {
    Map<String, String> tags = new HashMap<>();
    tags.put("type", "sensor");
    tags.put("site", null);
    tags.put("firmware", "");

    List<Point> points = TelemetryPoints.aggregates(a -> tags).toPoints(AGGREGATE);

    assertThat(points.get(0).getTags())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("device", "s-42", "metric", "temperature", "type", "sensor"));
  }

  @Test
  void tagsNamedOneByOneSkipElementsWithoutAValue() {
    ExtraTags<TelemetryAggregate> tags =
        ExtraTags.<TelemetryAggregate>tag("type", a -> "sensor")
            .and(ExtraTags.tag("site", a -> null));

    List<Point> points = TelemetryPoints.aggregates(tags).toPoints(AGGREGATE);

    assertThat(points.get(0).getTags())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("device", "s-42", "metric", "temperature", "type", "sensor"));
  }

  @Test
  void aTrendIsTheSamePointInItsOwnMeasurementAtTheWindowEnd() {
    assertThat(lines(TelemetryPoints.trends(ExtraTags.none()).toPoints(AGGREGATE)))
        .containsExactly(
            "telemetry_trend,device=s-42,metric=temperature"
                + " avg=21.5,count=3i,last=22.0,max=22.5,min=20.5 120000");
  }

  @Test
  void aTelemetryMessageIsOnePointWithAFieldPerMetric() {
    Telemetry telemetry =
        new Telemetry(
            "s-42",
            1_764_331_200_123L,
            17L,
            new TreeMap<>(Map.of("temperature", 21.7, "battery", 87.0)));

    assertThat(lines(TelemetryPoints.telemetry(ExtraTags.none()).toPoints(telemetry)))
        .containsExactly("telemetry,device=s-42 battery=87.0,temperature=21.7 1764331200123");
  }

  @Test
  void aTelemetryMessageWithoutMetricsYieldsNoPoint() {
    assertThat(
            TelemetryPoints.telemetry(ExtraTags.none())
                .toPoints(new Telemetry("s-42", 1, null, Map.of())))
        .isEmpty();
  }

  @Test
  void tagValuesAreEscaped() {
    TelemetryAggregate spaced = new TelemetryAggregate("hall 1,a=b", "t", 0, 1, 1, 1, 1, 1, 1, 0);

    assertThat(lines(TelemetryPoints.aggregates(ExtraTags.none()).toPoints(spaced)).get(0))
        .startsWith("telemetry_agg,device=hall\\ 1\\,a\\=b,metric=t ");
  }

  private static List<String> lines(List<Point> points) {
    return points.stream().map(Point::toLineProtocol).toList();
  }
}
