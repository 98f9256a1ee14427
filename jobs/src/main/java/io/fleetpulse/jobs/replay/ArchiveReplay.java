package io.fleetpulse.jobs.replay;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.jobs.archive.ArchiveConfig;
import io.fleetpulse.jobs.archive.ArchiveFileSystems;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The TelemetryJob over a time range of the Parquet archive instead of live input: the same
 * pipeline in Flink's BATCH execution mode, where every keyed operator sees each device's records
 * sorted by event time — so the windows close exactly as they did live, and the aggregates (to
 * Kafka and InfluxDB, where they overwrite the same points) are the same. The archive sink is left
 * out: a replay must not archive what it reads.
 */
public final class ArchiveReplay {

  public static final ConfigOption<String> FROM =
      ConfigOption.key("replay.from")
          .stringType()
          .description("start of the range, ISO-8601 instant, inclusive (required)");
  public static final ConfigOption<String> TO =
      ConfigOption.key("replay.to")
          .stringType()
          .description("end of the range, ISO-8601 instant, exclusive (required)");

  /** The range, the options of every replay. */
  public static final OptionSet RANGE = OptionSet.builder().add(FROM, TO).build();

  /** The TelemetryJob's options plus the range. */
  public static final OptionSet OPTIONS =
      OptionSet.builder().addAll(TelemetryJobConfig.OPTIONS).addAll(RANGE).build();

  private ArchiveReplay() {}

  /** Replays {@code archive.path} between {@code replay.from} and {@code replay.to}. */
  public static void main(String[] args) throws Exception {
    Settings s = Settings.load(args, System.getenv(), OPTIONS);
    TelemetryJobConfig config = TelemetryJobConfig.from(s);
    if (config.archive() == null) {
      throw new ConfigException("archive.path is required: it is what a replay reads");
    }
    Instant from = instant(s, FROM);
    Instant to = instant(s, TO);
    ArchiveFileSystems.initialize(config.archive());
    StreamExecutionEnvironment env = JobEnvironment.create(configuration(config));
    job(config, from, to).build(env);
    env.execute("FleetPulse TelemetryJob replay " + from + " .. " + to);
  }

  /** The job's Flink settings in BATCH mode. */
  public static Configuration configuration(TelemetryJobConfig config) {
    Configuration conf = new Configuration(TelemetryJob.flinkConfiguration(config));
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
    return conf;
  }

  /** The TelemetryJob reading {@code [from, to)} of the archive, without the archive sink. */
  public static TelemetryJob job(TelemetryJobConfig config, Instant from, Instant to) {
    return TelemetryJob.job(config, source(config.archive(), from, to), true)
        .withoutTelemetrySink("telemetry-archive-sink");
  }

  /** A bounded source of the archive's {@code dt=/hour=} partitions that overlap the range. */
  public static FileSource<ParsedTelemetry> source(
      ArchiveConfig archive, Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new ConfigException("replay.from (" + from + ") must be before replay.to (" + to + ")");
    }
    Path root = new Path(archive.uri());
    List<Path> hours = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem();
      for (Instant h = from.truncatedTo(ChronoUnit.HOURS);
          h.isBefore(to);
          h = h.plus(1, ChronoUnit.HOURS)) {
        String day = h.toString().substring(0, 10);
        String hour = h.toString().substring(11, 13);
        Path partition = new Path(root, "dt=" + day + "/hour=" + hour);
        if (fs.exists(partition)) {
          hours.add(partition);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the archive " + archive.uri(), e);
    }
    if (hours.isEmpty()) {
      throw new ConfigException(
          "the archive " + archive.uri() + " has no partition between " + from + " and " + to);
    }
    return FileSource.forRecordStreamFormat(
            new ArchiveTelemetryFormat(from.toEpochMilli(), to.toEpochMilli()),
            hours.toArray(Path[]::new))
        .build();
  }

  /** The required {@code replay.from} or {@code replay.to}. */
  static Instant instant(Settings s, ConfigOption<String> option) {
    String v = s.get(option);
    if (v == null || v.isBlank()) {
      throw new ConfigException(option.key() + " is required (an ISO-8601 instant)");
    }
    try {
      return Instant.parse(v.strip());
    } catch (DateTimeParseException e) {
      throw new ConfigException(option.key() + " '" + v + "' is not an ISO-8601 instant");
    }
  }
}
