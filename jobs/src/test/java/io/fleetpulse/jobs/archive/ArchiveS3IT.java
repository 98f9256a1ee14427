package io.fleetpulse.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.s3.S3Extension;
import io.fleetpulse.devstack.s3.S3Server;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive on a real S3 server (S3Proxy, with signature checks) through {@code
 * flink-s3-fs-hadoop} loaded as a plugin, as on a cluster: exactly once through Kafka and the
 * TelemetryJob, exactly once across a failure and restore, and a clear start-up failure for a
 * missing bucket and for wrong keys. The files are read back straight from the server's store with
 * DuckDB, not through Flink.
 */
@ExtendWith({S3Extension.class, KafkaExtension.class})
class ArchiveS3IT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path downloads;

  @AfterAll
  static void resetFileSystems() {
    FileSystem.initialize(new Configuration(), null);
  }

  @Test
  void theTelemetryJobArchivesEveryKafkaRecordToS3ExactlyOnce(S3Server s3, KafkaTestClient kafka)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    s3.createBucket("archive-" + run);
    TelemetryJobConfig config =
        TelemetryJobConfig.load(
            s3Args(
                    s3,
                    "s3://archive-" + run + "/telemetry",
                    S3Server.ACCESS_KEY,
                    S3Server.SECRET_KEY,
                    "--kafka.bootstrap.servers",
                    kafka.bootstrapServers(),
                    "--kafka.group.id",
                    "archive-s3-" + run,
                    "--topic.telemetry.raw",
                    "raw-" + run,
                    "--topic.telemetry.dlq",
                    "dlq-" + run,
                    "--topic.telemetry.agg",
                    "agg-" + run,
                    "--topic.telemetry.enriched",
                    "enriched-" + run,
                    "--topic.devices",
                    "devices-" + run,
                    "--checkpoint.interval",
                    "500ms")
                .toArray(String[]::new),
            Map.of());
    initialize(config.archive());
    ArchiveSinks.checkTarget(config.archive());
    kafka.createTopics(4, config.topics(), List.of(config.devicesTopic()));
    long t0 = TestTimes.minuteAlignedHourAgo();
    List<Telemetry> readings = new SimulatedFleet(20, "s3").readings(t0, 2_000, 50);
    kafka.produce(
        readings.stream().map(t -> SimulatedFleet.toRecord(config.rawTopic(), t)).toList());

    StreamExecutionEnvironment env =
        TestEnvironments.of(TelemetryJob.flinkConfiguration(config), 2);
    TelemetryJob.kafkaJob(config, true).build(env);
    env.execute("archive-s3-kafka");

    List<String> keys = s3.keys("archive-" + run, "telemetry/");
    assertThat(keys)
        .isNotEmpty()
        .allSatisfy(
            k ->
                assertThat(k)
                    .matches("telemetry/dt=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/telemetry-.*"));
    assertThat(countRowsAndDistinct(s3, "archive-" + run, keys))
        .containsExactly((long) readings.size(), (long) readings.size());
  }

  @Test
  void aFailureAndRestoreOnS3LeaveEveryRowExactlyOnce(S3Server s3) throws Exception {
    String bucket = "restore-" + UUID.randomUUID().toString().substring(0, 8);
    s3.createBucket(bucket);
    ArchiveConfig archive =
        archive(s3, "s3://" + bucket + "/a", S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
    initialize(archive);
    ArchiveSinks.checkTarget(archive);
    List<Telemetry> readings =
        new SimulatedFleet(3, "s3restore").readings(TestTimes.minuteAlignedHourAgo(), 1_000, 600);
    Configuration conf = JobEnvironment.configuration(Duration.ofMillis(300), "hashmap", null);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env = JobEnvironment.create(conf);
    env.setParallelism(1);
    ArchiveRestoreIT.FAILED.set(false);
    env.fromSource(
            TestSources.of(readings, ModelTypes.TELEMETRY),
            WatermarkStrategy.noWatermarks(),
            "input")
        .map(new ArchiveRestoreIT.FailOnceAfterACheckpoint(readings.size() / 2))
        .returns(ModelTypes.TELEMETRY)
        .sinkTo(ArchiveSinks.parquet(archive))
        .uid("telemetry-archive-sink");
    env.execute("archive-s3-restore");

    assertThat(ArchiveRestoreIT.FAILED).as("the job failed once and recovered").isTrue();
    List<String> keys = s3.keys(bucket, "a/");
    // In-progress data on S3 is an unfinished multipart upload: never an object a reader sees.
    assertThat(keys).allSatisfy(k -> assertThat(k).matches("a/dt=[^/]+/hour=\\d{2}/telemetry-.*"));
    assertThat(countRowsAndDistinct(s3, bucket, keys))
        .containsExactly((long) readings.size(), (long) readings.size());
  }

  @Test
  void aMissingBucketFailsAtStartUpNamingIt(S3Server s3) {
    ArchiveConfig archive =
        archive(s3, "s3://no-such-bucket/x", S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
    initialize(archive);
    assertThatThrownBy(() -> ArchiveSinks.checkTarget(archive))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("archive.path s3://no-such-bucket/x")
        .hasMessageContaining("the bucket 'no-such-bucket' does not exist");
  }

  @Test
  void wrongKeysFailAtStartUpNamingTheKey(S3Server s3) {
    s3.createBucket("keys");
    ArchiveConfig archive = archive(s3, "s3://keys/x", "not-the-key", "wrong-secret");
    initialize(archive);
    assertThatThrownBy(() -> ArchiveSinks.checkTarget(archive))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("archive.path s3://keys/x")
        .hasMessageContaining("refused the credentials of archive.s3.access-key 'not-the-key'");
  }

  private static List<String> s3Args(
      S3Server s3, String path, String access, String secret, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--archive.path", path,
                "--archive.s3.endpoint", s3.endpoint(),
                "--archive.s3.path-style-access", "true",
                "--archive.s3.access-key", access,
                "--archive.s3.secret-key", secret));
    args.addAll(List.of(more));
    return args;
  }

  private static ArchiveConfig archive(S3Server s3, String path, String access, String secret) {
    Map<String, String> settings = new HashMap<>();
    List<String> args = s3Args(s3, path, access, secret);
    for (int i = 0; i < args.size(); i += 2) {
      settings.put(args.get(i).substring(2), args.get(i + 1));
    }
    return ArchiveConfig.from(Settings.of(settings, ArchiveConfig.OPTIONS));
  }

  private static void initialize(ArchiveConfig archive) {
    ArchiveFileSystems.initialize(
        archive, new Configuration(), Path.of(System.getProperty("fleetpulse.flink.plugins")));
  }

  /** Row count and distinct (device, seq) count of the objects, downloaded and read by DuckDB. */
  private List<Long> countRowsAndDistinct(S3Server s3, String bucket, List<String> keys)
      throws Exception {
    Path dir = Files.createTempDirectory(downloads, bucket);
    int i = 0;
    for (String key : keys) {
      Files.write(dir.resolve("part-" + i++ + ".parquet"), s3.get(bucket, key));
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*), count(DISTINCT (deviceId, seq)) FROM read_parquet('"
                    + dir
                    + "/*.parquet')")) {
      rs.next();
      return List.of(rs.getLong(1), rs.getLong(2));
    }
  }
}
