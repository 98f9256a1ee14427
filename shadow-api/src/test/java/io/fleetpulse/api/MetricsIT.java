package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The metrics routes over a real influxd holding points shaped like the TelemetryJob's. */
@ExtendWith(InfluxDbExtension.class)
class MetricsIT extends ApiTestBase {

  private static final String DB = "api_metrics_it";
  private static ShadowApi withInflux;
  private static String influxBase;

  @BeforeAll
  static void startWithInflux(InfluxDbProcess influx) throws Exception {
    influx.createDatabase(DB);
    // telemetry_agg as TelemetryPoints writes it: tags device, metric; time = window start (ms)
    String lines =
        String.join(
            "\n",
            "telemetry_agg,device=mx-1,metric=temp count=2i,min=19.0,max=21.0,avg=20.0,last=21.0 60000",
            "telemetry_agg,device=mx-1,metric=temp count=2i,min=22.0,max=24.0,avg=23.0,last=24.0 120000",
            "telemetry_agg,device=mx-1,metric=temp count=1i,min=30.0,max=30.0,avg=30.0,last=30.0 200000",
            "telemetry_agg,device=mx-2,metric=temp count=1i,min=10.0,max=10.0,avg=10.0,last=10.0 60000",
            "telemetry_agg,device=o'brien,metric=temp count=1i,min=99.0,max=99.0,avg=99.0,last=99.0 60000",
            "telemetry_agg,device=mx-1,metric=hum count=1i,min=50.0,max=50.0,avg=50.0,last=50.0 60000");
    writeInflux(influx, DB, lines);
    withInflux = new ShadowApi(config(Map.of("influx.url", influx.url(), "influx.db", DB))).start();
    influxBase = base;
    base = "http://127.0.0.1:" + withInflux.port();
    register("mx-1", null);
  }

  @AfterAll
  static void stopWithInflux() {
    if (withInflux != null) {
      withInflux.close();
    }
  }

  @Test
  void aDevicesStoredWindowsAndBucketsAreServed() {
    JsonNode raw = json(get("/devices/mx-1/metrics?metric=temp&from=0&to=300000"));
    JsonNode points = raw.at("/series/0/points");
    assertThat(points).hasSize(3);
    assertThat(points.get(0).get("time").asLong()).isEqualTo(60_000);
    assertThat(points.get(2).get("last").asDouble()).isEqualTo(30.0);

    JsonNode buckets = json(get("/devices/mx-1/metrics?metric=temp&from=0&to=300000&every=3m"));
    JsonNode b = buckets.at("/series/0/points");
    assertThat(b).hasSize(2); // [0,180000) and [180000,360000)
    assertThat(b.get(0).get("avg").asDouble()).isEqualTo(21.5);
    assertThat(b.get(0).get("max").asDouble()).isEqualTo(24.0);
    assertThat(b.get(0).get("count").asLong()).isEqualTo(4);
    assertThat(b.get(1).get("min").asDouble()).isEqualTo(30.0);
  }

  @Test
  void fleetQueriesGroupByDeviceAndEscapeValues() {
    JsonNode fleet = json(get("/metrics/query?metric=temp&from=0&to=100000&groupBy=device"));
    assertThat(fleet.get("series")).hasSize(3);
    JsonNode all = json(get("/metrics/query?metric=temp&from=0&to=100000&every=1m"));
    assertThat(all.at("/series/0/points/0/max").asDouble()).isEqualTo(99.0);
    // an id with a quote cannot be a device id; a quote in metric is refused, never run
    assertThat(get("/metrics/query?metric=temp&deviceId=o'brien").statusCode()).isEqualTo(400);
    var injected = get("/metrics/query?metric=temp'%20OR%20'1'='1");
    assertThat(injected.statusCode()).isEqualTo(400);
    assertThat(json(injected).get("field").asText()).isEqualTo("metric");
  }

  @Test
  void badParametersAre400NamingTheField() {
    assertThat(json(get("/devices/mx-1/metrics")).get("field").asText()).isEqualTo("metric");
    assertThat(json(get("/devices/mx-1/metrics?metric=temp&every=5x")).get("field").asText())
        .isEqualTo("every");
    assertThat(json(get("/devices/mx-1/metrics?metric=temp&from=5&to=5")).get("field").asText())
        .isEqualTo("from");
    assertThat(json(get("/devices/mx-1/metrics?metric=temp&to=soon")).get("field").asText())
        .isEqualTo("to");
    assertThat(
            json(get("/devices/mx-1/metrics?metric=temp&from=0&to=999999999999&every=1s"))
                .get("code")
                .asText())
        .isEqualTo("too_many_points");
    assertThat(json(get("/metrics/query?metric=temp&groupBy=site")).get("field").asText())
        .isEqualTo("groupBy");
  }

  @Test
  void healthShowsInfluxDbAndWithoutItTheRoutesAre503() {
    assertThat(json(get("/health")).at("/influxdb/reachable").asBoolean()).isTrue();
    String mine = base;
    base = influxBase; // the instance without influx.url
    try {
      var none = get("/devices/mx-1/metrics?metric=temp");
      assertThat(none.statusCode()).isEqualTo(503);
      assertThat(json(none).get("code").asText()).isEqualTo("influxdb_not_configured");
      assertThat(json(get("/health")).has("influxdb")).isFalse();
    } finally {
      base = mine;
    }
  }
}
