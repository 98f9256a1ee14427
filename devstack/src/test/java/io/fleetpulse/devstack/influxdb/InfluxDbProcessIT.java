package io.fleetpulse.devstack.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.devstack.BuildDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfluxDbExtension.class)
class InfluxDbProcessIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void answersQueriesWithRowsOfWhatWasWritten(InfluxDbProcess influx) throws Exception {
    influx.createDatabase("rows");

    write(
        influx, "rows", "m,device=d1 value=1.5,count=3i 1000\nm,device=d2 value=2.5,count=4i 2000");

    assertThat(influx.query("rows", "SELECT value, \"count\" FROM m ORDER BY time"))
        .containsExactly(
            Map.of("time", 1000L, "value", 1.5, "count", 3L),
            Map.of("time", 2000L, "value", 2.5, "count", 4L));
  }

  @Test
  void groupedRowsCarryTheirTags(InfluxDbProcess influx) throws Exception {
    influx.createDatabase("tags");
    write(influx, "tags", "m,device=d1 value=1 1000\nm,device=d2 value=2 1000");

    List<Map<String, Object>> rows = influx.query("tags", "SELECT value FROM m GROUP BY device");

    assertThat(rows)
        .containsExactly(
            Map.of("device", "d1", "time", 1000L, "value", 1L),
            Map.of("device", "d2", "time", 1000L, "value", 2L));
  }

  @Test
  void keepsPortAndDataAcrossStopAndStart(InfluxDbProcess influx) throws Exception {
    influx.createDatabase("restart");
    write(influx, "restart", "m value=7 1000");
    String url = influx.url();

    influx.stop();
    assertThat(influx.isRunning()).isFalse();
    influx.start();

    assertThat(influx.url()).isEqualTo(url);
    assertThat(influx.query("restart", "SELECT value FROM m"))
        .containsExactly(Map.of("time", 1000L, "value", 7L));
  }

  @Test
  void reportsAQueryErrorWithTheStatement(InfluxDbProcess influx) {
    assertThatThrownBy(() -> influx.query("nosuchdb", "SELECT * FROM m"))
        .hasMessageContaining("nosuchdb");
  }

  @Test
  void killsItsProcessOnClose() {
    InfluxDbProcess own = InfluxDbProcess.start(BuildDirs.fresh("influxdb-close"));

    own.close();

    assertThat(own.isRunning()).isFalse();
  }

  private static void write(InfluxDbProcess influx, String db, String lines) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(influx.url() + "/write?db=" + db + "&precision=ms"))
                .POST(HttpRequest.BodyPublishers.ofString(lines))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
  }
}
