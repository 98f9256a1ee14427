package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.kafka.topics.TopicCheck;
import io.fleetpulse.jobs.archive.ArchiveFileSystems;
import io.fleetpulse.jobs.archive.ArchiveSinks;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetterSerializationSchema;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.enrich.Deduplicator;
import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.enrich.RegistryEndOffsets;
import io.fleetpulse.jobs.enrich.RegistryHold;
import io.fleetpulse.jobs.influx.InfluxSinks;
import io.fleetpulse.jobs.kafka.JsonValues;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.kinesis.KinesisSourceConfig;
import io.fleetpulse.jobs.kinesis.KinesisTelemetrySources;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.registry.DeviceUpdateDeserializationSchema;
import io.fleetpulse.jobs.registry.RegistryWatermarks;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Raw telemetry to per-device, per-metric event-time window aggregates: parse and validate, drop
 * repeats, tag with the device registry, window; anything that cannot be accepted (malformed, from
 * a recalled device, late) to the dead-letter sink.
 *
 * <p>The job takes its sources and sinks in the constructor: {@link #main} wires Kafka and InfluxDB
 * from configuration, tests wire what they need.
 */
public final class TelemetryJob {

  /** The {@code dlq.stage} of what this job dead-letters. */
  public static final String STAGE = "telemetry-job";

  /**
   * The uid of the keyed operator (dedupe, registry tags, device windows and their one state value
   * per device). Savepoints taken before it replaced {@code telemetry-dedupe-enrich} and {@code
   * telemetry-device-window} do not restore into it.
   */
  public static final String DEVICE_UID = "telemetry-device";

  /** How long a dead letter waits for its original record to be read back from Kafka. */
  static final Duration ORIGINAL_RECORD_TIMEOUT = Duration.ofSeconds(5);

  private final TelemetryJobConfig config;
  private final Source<ParsedTelemetry, ?, ?> telemetrySource;
  private final Source<DeviceUpdate, ?, ?> registrySource;
  private final TelemetrySinks sinks;
  private OriginalRecords originals;
  private RegistryEndOffsets registryEnd;

  public TelemetryJob(
      TelemetryJobConfig config,
      Source<ParsedTelemetry, ?, ?> telemetrySource,
      Source<DeviceUpdate, ?, ?> registrySource,
      TelemetrySinks sinks) {
    this.config = config;
    this.telemetrySource = telemetrySource;
    this.registrySource = registrySource;
    this.sinks = sinks;
  }

  /**
   * This job reading the original bytes and headers of late and refused telemetry back from its
   * source for their dead letters (Kafka sources only; without it they carry re-encoded JSON).
   */
  public TelemetryJob withOriginalRecords(OriginalRecords originals) {
    this.originals = originals;
    return this;
  }

  /**
   * This job holding telemetry on a fresh start until the registry source has been read up to
   * {@code registryEnd} (at most {@code registry.hold-timeout}); without it nothing is held.
   */
  public TelemetryJob withRegistryHold(RegistryEndOffsets registryEnd) {
    this.registryEnd = registryEnd;
    return this;
  }

  /** This job writing its aggregates to {@code sink} too (e.g. a test's observer). */
  public TelemetryJob withAggregateSink(NamedSink<TelemetryAggregate> sink) {
    List<NamedSink<TelemetryAggregate>> aggregates = new ArrayList<>(sinks.aggregates());
    aggregates.add(sink);
    return new TelemetryJob(
            config,
            telemetrySource,
            registrySource,
            new TelemetrySinks(aggregates, sinks.trends(), sinks.telemetry(), sinks.deadLetters()))
        .withOriginalRecords(originals)
        .withRegistryHold(registryEnd);
  }

  /** This job without the telemetry sink named {@code name} (a replay leaves out the archive). */
  public TelemetryJob withoutTelemetrySink(String name) {
    List<NamedSink<Telemetry>> telemetry = new ArrayList<>(sinks.telemetry());
    telemetry.removeIf(sink -> sink.name().equals(name));
    return new TelemetryJob(
        config,
        telemetrySource,
        registrySource,
        new TelemetrySinks(sinks.aggregates(), sinks.trends(), telemetry, sinks.deadLetters()));
  }

  /** Adds the pipeline to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<ParsedTelemetry> watermarks =
        ValidTelemetryWatermarks.strategy(config.outOfOrderness(), config.idleness());
    DataStream<ParsedTelemetry> parsed =
        env.fromSource(telemetrySource, watermarks, "telemetry-source").uid("telemetry-source");

    SingleOutputStreamOperator<Telemetry> valid =
        parsed
            .process(new TelemetryValidator(), TelemetryTypeInfo.INSTANCE)
            .name("validate")
            .uid("telemetry-validate");

    BroadcastStream<DeviceUpdate> registry =
        env.fromSource(registrySource, RegistryWatermarks.strategy(), "device-registry")
            .uid("device-registry-source")
            .setParallelism(1)
            .broadcast(DeviceRegistry.STATE);

    // One keyed operator for dedupe, registry tags and the device windows: one state value and
    // one key switch per record (DeviceTelemetryFunction).
    boolean enrichedRead = !sinks.telemetry().isEmpty() || config.trendWindowSize() != null;
    SingleOutputStreamOperator<TelemetryAggregate> aggregates =
        valid
            .keyBy(Telemetry::getDeviceId)
            .connect(registry)
            .process(
                new DeviceTelemetryFunction(
                    new Deduplicator(config.dedupeHorizon()),
                    new DeviceWindows(
                        config.windowSize(),
                        config.outOfOrderness(),
                        config.allowedLateness(),
                        config.idleTimeout(),
                        config.maxMetricsPerDevice(),
                        config.rawTopic()),
                    new RegistryHold(registryEnd, config.registryHoldTimeout()),
                    config.rawTopic(),
                    enrichedRead),
                TypeInformation.of(TelemetryAggregate.class))
            .name("device-telemetry")
            .uid(DEVICE_UID);
    DataStream<Telemetry> enriched = aggregates.getSideOutput(DeviceTelemetryFunction.ENRICHED);
    if (config.trendWindowSize() != null) {
      // Still partitioned by device: reinterpreting saves a second shuffle before the window.
      KeyedStream<Telemetry, String> byDevice =
          DataStreamUtils.reinterpretAsKeyedStream(enriched, Telemetry::getDeviceId, Types.STRING);
      DataStream<TelemetryAggregate> trends =
          TelemetryWindows.trend(
              byDevice,
              config.trendWindowSize(),
              config.trendWindowSlide(),
              config.allowedLateness());
      for (NamedSink<TelemetryAggregate> sink : sinks.trends()) {
        trends.sinkTo(sink.sink()).name(sink.name()).uid(sink.name());
      }
    }

    DataStream<DeadLetter> late = aggregates.getSideOutput(DeviceTelemetryFunction.LATE);

    for (NamedSink<TelemetryAggregate> sink : sinks.aggregates()) {
      aggregates.sinkTo(sink.sink()).name(sink.name()).uid(sink.name());
    }
    for (NamedSink<Telemetry> sink : sinks.telemetry()) {
      enriched.sinkTo(sink.sink()).name(sink.name()).uid(sink.name());
    }
    DataStream<DeadLetter> refusedAfterParsing =
        aggregates.getSideOutput(DeviceTelemetryFunction.REFUSED).union(late);
    if (originals != null) {
      refusedAfterParsing =
          refusedAfterParsing
              .map(originals, DeadLetters.TYPE)
              .name("dead-letter-originals")
              .uid("telemetry-dlq-originals");
    }
    valid
        .getSideOutput(TelemetryValidator.REJECTED)
        .union(refusedAfterParsing)
        .sinkTo(sinks.deadLetters())
        .name("dead-letter-sink")
        .uid("telemetry-dlq-sink");
  }

  /**
   * Runs the job against Kafka, configured from {@code --config FILE}, the environment and args.
   */
  public static void main(String[] args) throws Exception {
    Settings settings = Settings.load(args, System.getenv(), TelemetryJobConfig.OPTIONS);
    TelemetryJobConfig config = TelemetryJobConfig.from(settings);
    KinesisSourceConfig kinesis = KinesisSourceConfig.from(settings);
    // On the client, before submission: a missing topic, stream or bucket fails here, naming it,
    // instead of sending the job into a restart loop on the cluster.
    List<String> topics = new ArrayList<>(config.topics());
    if (kinesis != null) {
      topics.remove(config.rawTopic());
    }
    TopicCheck.requireTopics(
        config.kafka().bootstrapServers(),
        config.kafka().clientProperties(),
        topics,
        "TelemetryJob");
    String streamArn = kinesis == null ? null : KinesisTelemetrySources.checkStream(kinesis);
    if (config.archive() != null) {
      ArchiveFileSystems.initialize(config.archive());
      ArchiveSinks.checkTarget(config.archive());
    }
    StreamExecutionEnvironment env = JobEnvironment.create(flinkConfiguration(config));
    TelemetryJob job =
        kinesis == null
            ? kafkaJob(config, false)
            : job(
                config,
                KinesisTelemetrySources.source(
                    kinesis,
                    streamArn,
                    config.maxPayloadBytes(),
                    config.maxFutureSkew().toMillis()),
                false);
    job.build(env);
    env.execute("FleetPulse TelemetryJob");
  }

  /** The Flink settings of this job: {@link JobEnvironment#configuration} from its config. */
  public static Configuration flinkConfiguration(TelemetryJobConfig config) {
    return JobEnvironment.configuration(
        config.checkpointInterval(), config.stateBackend(), config.checkpointDir());
  }

  /**
   * The job wired to Kafka (and InfluxDB, when configured); {@code bounded} reads up to the current
   * end of the topics and stops.
   */
  public static TelemetryJob kafkaJob(TelemetryJobConfig config, boolean bounded) {
    TelemetryDeserializationSchema schema =
        new TelemetryDeserializationSchema(
            config.maxPayloadBytes(), config.maxFutureSkew().toMillis());
    Source<ParsedTelemetry, ?, ?> telemetry =
        bounded
            ? KafkaConnectors.boundedSource(config.kafka(), config.rawTopic(), schema)
            : KafkaConnectors.source(config.kafka(), config.rawTopic(), schema);
    return job(config, telemetry, bounded);
  }

  /**
   * The job reading raw telemetry from {@code telemetry} (Kafka, Kinesis, the archive) and wired to
   * Kafka (and InfluxDB and the archive, when configured) for everything else; {@code bounded}
   * reads the registry up to its current end.
   */
  public static TelemetryJob job(
      TelemetryJobConfig config, Source<ParsedTelemetry, ?, ?> telemetry, boolean bounded) {
    DeviceUpdateDeserializationSchema registrySchema = new DeviceUpdateDeserializationSchema();
    Source<DeviceUpdate, ?, ?> registry =
        bounded
            ? KafkaConnectors.boundedBroadcastSource(
                config.kafka(), config.devicesTopic(), registrySchema)
            : KafkaConnectors.broadcastSource(
                config.kafka(), config.devicesTopic(), registrySchema);
    List<NamedSink<TelemetryAggregate>> aggregates = new ArrayList<>();
    List<NamedSink<TelemetryAggregate>> trends = new ArrayList<>();
    List<NamedSink<Telemetry>> telemetrySinks = new ArrayList<>();
    telemetrySinks.add(
        new NamedSink<>(
            "telemetry-enriched-sink",
            KafkaConnectors.sink(
                config.kafka(),
                "telemetry-enriched-sink",
                config.enrichedTopic(),
                KafkaConnectors.utf8Key(Telemetry::getDeviceId),
                new JsonValues<>())));
    aggregates.add(
        new NamedSink<>(
            "telemetry-aggregate-sink",
            KafkaConnectors.sink(
                config.kafka(),
                "telemetry-aggregate-sink",
                config.aggregateTopic(),
                KafkaConnectors.utf8Key(TelemetryAggregate::getDeviceId),
                new JsonValues<>())));
    trends.add(
        new NamedSink<>(
            "telemetry-trend-sink",
            KafkaConnectors.sink(
                config.kafka(),
                "telemetry-trend-sink",
                config.trendTopic(),
                KafkaConnectors.utf8Key(TelemetryAggregate::getDeviceId),
                new JsonValues<>())));
    if (config.archive() != null) {
      telemetrySinks.add(
          new NamedSink<>("telemetry-archive-sink", ArchiveSinks.parquet(config.archive())));
    }
    if (config.influx() != null) {
      aggregates.add(
          new NamedSink<>("influxdb-aggregate-sink", InfluxSinks.aggregates(config.influx())));
      trends.add(new NamedSink<>("influxdb-trend-sink", InfluxSinks.trends(config.influx())));
      if (config.influx().rawPoints()) {
        telemetrySinks.add(
            new NamedSink<>("influxdb-telemetry-sink", InfluxSinks.telemetry(config.influx())));
      }
    }
    Sink<DeadLetter> deadLetters =
        KafkaConnectors.sink(
            config.kafka(),
            "telemetry-dlq-sink",
            new DeadLetterSerializationSchema(config.deadLetterTopic(), STAGE));
    return new TelemetryJob(
            config,
            telemetry,
            registry,
            new TelemetrySinks(aggregates, trends, telemetrySinks, deadLetters))
        .withOriginalRecords(
            new OriginalRecords(
                config.kafka().bootstrapServers(),
                config.kafka().clientProperties(),
                ORIGINAL_RECORD_TIMEOUT))
        // Not for a bounded run: held records wait for processing-time timers, which do not fire
        // once a bounded input has ended.
        .withRegistryHold(
            bounded
                ? null
                : new KafkaRegistryEndOffsets(
                    config.kafka().bootstrapServers(),
                    config.kafka().clientProperties(),
                    config.devicesTopic(),
                    Duration.ofSeconds(30)));
  }
}
