package io.fleetpulse.jobs.replay;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.kafka.topics.TopicCheck;
import io.fleetpulse.jobs.anomaly.AnomalyJob;
import io.fleetpulse.jobs.anomaly.AnomalyJobConfig;
import io.fleetpulse.jobs.anomaly.AnomalyTypes;
import io.fleetpulse.jobs.anomaly.ParsedInput;
import io.fleetpulse.jobs.archive.ArchiveConfig;
import io.fleetpulse.jobs.archive.ArchiveFileSystems;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.registry.DeviceUpdateDeserializationSchema;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The AnomalyJob over a time range of the Parquet archive, in BATCH mode: the archive's rows are
 * the enriched telemetry the streaming job read, each record stamped with its event time so that
 * every keyed operator sees a device's readings in {@code ts} order; the detectors and the
 * lifecycle then give the same alert ids and transitions. Offline incidents come from the gaps
 * between a device's own timestamps (the detector's replay path), not from wall-clock timers.
 *
 * <p>Users' actions and other jobs' signals are not in the archive: a replay reads none, so it
 * recomputes what the detectors decide; alerts go to {@code topic.alerts}.
 */
public final class AnomalyReplay {

  /** The AnomalyJob's options, the archive's and the range. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .addAll(AnomalyJobConfig.OPTIONS)
          .addAll(ArchiveConfig.OPTIONS)
          .addAll(ArchiveReplay.RANGE)
          .build();

  private AnomalyReplay() {}

  /** Replays {@code archive.path} between {@code replay.from} and {@code replay.to}. */
  public static void main(String[] args) throws Exception {
    Settings s = Settings.load(args, System.getenv(), OPTIONS);
    AnomalyJobConfig config = AnomalyJobConfig.from(s);
    ArchiveConfig archive = ArchiveConfig.from(s);
    if (archive == null) {
      throw new ConfigException("archive.path is required: it is what a replay reads");
    }
    Instant from = ArchiveReplay.instant(s, ArchiveReplay.FROM);
    Instant to = ArchiveReplay.instant(s, ArchiveReplay.TO);
    TopicCheck.requireTopics(
        config.kafka().bootstrapServers(),
        config.kafka().clientProperties(),
        List.of(config.devicesTopic(), config.alertsTopic(), config.deadLetterTopic()),
        "AnomalyJob replay");
    ArchiveFileSystems.initialize(archive);
    StreamExecutionEnvironment env = JobEnvironment.create(configuration(config));
    job(config, archive, from, to).build(env);
    env.execute("FleetPulse AnomalyJob replay " + from + " .. " + to);
  }

  /** The job's Flink settings in BATCH mode. */
  public static Configuration configuration(AnomalyJobConfig config) {
    Configuration conf = new Configuration(AnomalyJob.flinkConfiguration(config));
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
    return conf;
  }

  /**
   * The AnomalyJob reading {@code [from, to)} of the archive and the registry up to its current
   * end, writing alerts and dead letters to Kafka as the streaming job does.
   */
  public static AnomalyJob job(
      AnomalyJobConfig config, ArchiveConfig archive, Instant from, Instant to) {
    var telemetry =
        new EventTimeSource<>(
            ArchiveReplay.source(archive, from, to),
            TypeInformation.of(ParsedTelemetry.class),
            new ReadingTime());
    var registry =
        KafkaConnectors.boundedBroadcastSource(
            config.kafka(), config.devicesTopic(), new DeviceUpdateDeserializationSchema());
    NoInput<ParsedInput> none = new NoInput<>(AnomalyTypes.PARSED_INPUT);
    return new AnomalyJob(
        config,
        telemetry,
        registry,
        none,
        none,
        List.of(AnomalyJob.kafkaAlertSink(config)),
        AnomalyJob.kafkaDeadLetterSink(config));
  }

  /** A reading's event time: the archive holds only valid readings. */
  static final class ReadingTime implements SerializableTimestampAssigner<ParsedTelemetry> {
    private static final long serialVersionUID = 1L;

    @Override
    public long extractTimestamp(ParsedTelemetry parsed, long recordTimestamp) {
      return parsed.isValid() ? parsed.getTelemetry().getTs() : recordTimestamp;
    }
  }
}
