package io.fleetpulse.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.jobs.runtime.JobEnvironment;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The archive across a failure and a restore from the last checkpoint: every row exactly once. */
class ArchiveRestoreIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  /** One failure per JVM: the restarted attempt runs through. */
  static final AtomicBoolean FAILED = new AtomicBoolean();

  @TempDir Path archive;

  @Test
  void aFailureAfterACheckpointLeavesNoDuplicateAndNoPartialFile() throws Exception {
    long t0 = TestTimes.minuteAlignedHourAgo();
    List<Telemetry> readings = new SimulatedFleet(3, "restore").readings(t0, 1_000, 2_000);
    Configuration conf = JobEnvironment.configuration(Duration.ofMillis(200), "hashmap", null);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env = JobEnvironment.create(conf);
    env.setParallelism(1);
    ArchiveConfig config =
        ArchiveConfig.from(
            Settings.of(Map.of("archive.path", archive.toUri().toString()), ArchiveConfig.OPTIONS));

    env.fromSource(
            TestSources.of(readings, ModelTypes.TELEMETRY),
            WatermarkStrategy.noWatermarks(),
            "input")
        .map(new FailOnceAfterACheckpoint(readings.size() / 2))
        .returns(ModelTypes.TELEMETRY)
        .sinkTo(ArchiveSinks.parquet(config))
        .uid("telemetry-archive-sink");
    env.execute("archive-restore");

    assertThat(FAILED).as("the job failed once and recovered").isTrue();
    try (Stream<Path> files = Files.walk(archive)) {
      // What the failed attempt had in progress stays hidden (a dot file no reader globs);
      // everything visible is a committed Parquet file.
      assertThat(files.filter(Files::isRegularFile))
          .allSatisfy(
              f ->
                  assertThat(f.getFileName().toString())
                      .matches("(telemetry-.*\\.parquet|\\.telemetry-.*\\.inprogress\\..*)"));
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*), count(DISTINCT (deviceId, seq)) FROM read_parquet('"
                    + archive
                    + "/*/*/*.parquet')")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(readings.size());
      assertThat(rs.getLong(2)).isEqualTo(readings.size());
    }
  }

  /** Passes records on; once, after a checkpoint has completed past the middle, it throws. */
  static final class FailOnceAfterACheckpoint extends RichMapFunction<Telemetry, Telemetry>
      implements org.apache.flink.api.common.state.CheckpointListener {
    private static final long serialVersionUID = 1L;
    private final int after;
    private transient int seen;
    private transient boolean checkpointed;

    FailOnceAfterACheckpoint(int after) {
      this.after = after;
    }

    @Override
    public void open(OpenContext openContext) {
      seen = 0;
      checkpointed = false;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (seen >= after) {
        checkpointed = true;
      }
    }

    @Override
    public Telemetry map(Telemetry value) throws Exception {
      seen++;
      if (checkpointed && !FAILED.get()) {
        FAILED.set(true);
        throw new IllegalStateException("injected failure after a completed checkpoint");
      }
      if (seen >= after && !checkpointed && !FAILED.get()) {
        // Slow down until a checkpoint completes, so the failure comes after one.
        Thread.sleep(5);
      }
      return value;
    }
  }
}
