package io.fleetpulse.connectors.influxdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The v2 write API against a real server that implements it. */
class InfluxDbSinkV2QuestDbIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  private static QuestDbServer questDb;

  @BeforeAll
  static void startQuestDb() {
    questDb = QuestDbServer.start(BuildDirs.fresh("questdb"));
  }

  @AfterAll
  static void stopQuestDb() {
    if (questDb != null) {
      questDb.close();
    }
  }

  @Test
  void aJobWritesAggregatesThroughTheV2ApiWithMillisecondTimes() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.fromData(
            new TelemetryAggregate(
                "d1", "temperature", 1_764_331_200_123L, 0, 3, 1.5, 2.5, 2.25, 2.5, 0),
            new TelemetryAggregate(
                "d2", "battery", 1_764_331_260_456L, 0, 1, 87.5, 87.5, 87.5, 87.5, 0))
        .sinkTo(
            InfluxDbSink.<TelemetryAggregate>builder()
                .options(
                    InfluxDbSinkOptions.builder()
                        .url(questDb.url())
                        .v2("fleetpulse", "telemetry", "any-token")
                        .build())
                .pointConverter(AggregatePoints.withTags(a -> Map.of("site", "berlin")))
                .build());

    env.execute("v2 to QuestDB");
    questDb.awaitTable("telemetry_agg");

    JsonNode rows =
        questDb.query(
            "SELECT device, metric, site, count, min, max, avg, last, timestamp"
                + " FROM telemetry_agg ORDER BY device");
    List<String> got = new ArrayList<>();
    rows.forEach(row -> got.add(row.toString()));
    assertThat(got)
        .containsExactly(
            "[\"d1\",\"temperature\",\"berlin\",3,1.5,2.5,2.25,2.5,\"2025-11-28T12:00:00.123000Z\"]",
            "[\"d2\",\"battery\",\"berlin\",1,87.5,87.5,87.5,87.5,\"2025-11-28T12:01:00.456000Z\"]");
  }
}
