package io.fleetpulse.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.jobs.testing.TestSources;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet archive written by a Flink job with checkpoints, then read by DuckDB — a reader no
 * one here wrote — with the query the README gives.
 */
class ArchiveSinkIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir static Path archive;
  static List<Telemetry> written;
  static long t0;

  @BeforeAll
  static void archiveTwoHoursOfAFleet() throws Exception {
    t0 = TestTimes.minuteAlignedHourAgo() / 3_600_000L * 3_600_000L - 3_600_000L;
    // 4 devices, a reading every 30 s for 2 h: two hourly partitions (or three, near midnight).
    written = new SimulatedFleet(4, "arch").readings(t0 + 1_000, 30_000, 240);
    ArchiveConfig config =
        ArchiveConfig.from(
            Settings.of(
                Map.of("archive.path", archive.toUri().toString(), "archive.max-file-mb", "1"),
                ArchiveConfig.OPTIONS));
    StreamExecutionEnvironment env =
        TestEnvironments.of(
            JobEnvironment.configuration(Duration.ofMillis(500), "hashmap", null), 2);
    env.fromSource(
            TestSources.of(written, ModelTypes.TELEMETRY),
            org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(),
            "archive-input")
        .setParallelism(1)
        .sinkTo(ArchiveSinks.parquet(config))
        .name("telemetry-archive-sink")
        .uid("telemetry-archive-sink");
    env.execute("archive-it");
  }

  @Test
  void everyRecordIsInTheArchiveExactlyOnceAndDuckDbReadsIt() throws Exception {
    Map<String, Long> perDevice = new HashMap<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT deviceId, count(*), count(DISTINCT ts) FROM read_parquet('"
                    + archive
                    + "/*/*/*.parquet', hive_partitioning = true) GROUP BY deviceId")) {
      while (rs.next()) {
        assertThat(rs.getLong(2)).as("no duplicates").isEqualTo(rs.getLong(3));
        perDevice.put(rs.getString(1), rs.getLong(2));
      }
    }
    assertThat(perDevice).hasSize(4).allSatisfy((device, n) -> assertThat(n).isEqualTo(240L));
  }

  @Test
  void aRowKeepsItsMetricsTagsAndEventTime() throws Exception {
    Telemetry first = written.get(0);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT seq, epoch_ms(ts), map_extract(metrics, 'temperature')[1], dt, hour"
                    + " FROM read_parquet('"
                    + archive
                    + "/*/*/*.parquet', hive_partitioning = true) WHERE deviceId = '"
                    + first.getDeviceId()
                    + "' AND seq = "
                    + first.getSeq())) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(2)).isEqualTo(first.getTs());
      assertThat(rs.getDouble(3)).isEqualTo(first.getMetrics().get("temperature"));
      Instant at = Instant.ofEpochMilli(first.getTs());
      assertThat(rs.getString(4))
          .isEqualTo(DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(at));
      assertThat(rs.getInt(5)).isEqualTo(at.atZone(ZoneOffset.UTC).getHour());
    }
  }

  @Test
  void theReadmeQueryRunsOnTheArchive() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("```sql", readme.indexOf("Query it with any Parquet reader"));
    String query =
        readme
            .substring(start + 6, readme.indexOf("```", start + 6))
            .strip()
            .replace("/var/fleetpulse/archive", archive.toString())
            .replace(
                "2026-12-01",
                DateTimeFormatter.ISO_LOCAL_DATE
                    .withZone(ZoneOffset.UTC)
                    .format(Instant.ofEpochMilli(written.get(0).getTs())));
    int rows = 0;
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement();
        ResultSet rs = st.executeQuery(query.replaceAll(";$", ""))) {
      while (rs.next()) {
        assertThat(rs.getDouble(3)).isFinite();
        rows++;
      }
    }
    assertThat(rows).isPositive();
  }

  @Test
  void partitionsFollowEventTimeAndHoldOnlyCommittedParquetFiles() throws Exception {
    try (Stream<Path> files = Files.walk(archive)) {
      List<Path> all = files.filter(Files::isRegularFile).toList();
      assertThat(all).isNotEmpty();
      assertThat(all)
          .allSatisfy(
              f -> {
                assertThat(f.getFileName().toString()).startsWith("telemetry").endsWith(".parquet");
                assertThat(archive.relativize(f).toString())
                    .matches("dt=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/telemetry.*\\.parquet");
              });
    }
  }

  @Test
  void aTargetWithoutASchemeFailsAtStartUpNamingTheSetting() {
    assertThatThrownBy(
            () ->
                ArchiveConfig.from(
                    Settings.of(Map.of("archive.path", "/tmp/archive"), ArchiveConfig.OPTIONS)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("archive.path")
        .hasMessageContaining("scheme");
  }

  @Test
  void aTargetThatCannotBeCreatedFailsAtStartUpNamingIt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    ArchiveConfig config =
        ArchiveConfig.from(
            Settings.of(
                Map.of("archive.path", file.resolve("below").toUri().toString()),
                ArchiveConfig.OPTIONS));

    assertThatThrownBy(() -> ArchiveSinks.checkTarget(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("a-file/below");
  }
}
