package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.jobs.archive.ArchiveConfig;
import io.fleetpulse.jobs.influx.InfluxConfig;
import io.fleetpulse.jobs.kafka.KafkaConfig;
import io.fleetpulse.jobs.kinesis.KinesisSourceConfig;
import io.fleetpulse.model.TelemetryParser;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The TelemetryJob's configuration, read once at start-up from a file, the environment and {@code
 * --key value} arguments, and validated there.
 */
public record TelemetryJobConfig(
    KafkaConfig kafka,
    String rawTopic,
    String deadLetterTopic,
    String aggregateTopic,
    String trendTopic,
    String enrichedTopic,
    String devicesTopic,
    Duration dedupeHorizon,
    int maxPayloadBytes,
    Duration maxFutureSkew,
    Duration outOfOrderness,
    Duration idleness,
    Duration windowSize,
    Duration allowedLateness,
    Duration idleTimeout,
    int maxMetricsPerDevice,
    Duration trendWindowSize,
    Duration trendWindowSlide,
    Duration checkpointInterval,
    String stateBackend,
    String checkpointDir,
    InfluxConfig influx,
    ArchiveConfig archive,
    Duration registryHoldTimeout) {

  public static final ConfigOption<String> RAW_TOPIC =
      topic("topic.telemetry.raw", "iot.telemetry.raw", "raw telemetry from the bridge");
  public static final ConfigOption<String> DLQ_TOPIC =
      topic("topic.telemetry.dlq", "iot.telemetry.dlq", "dead letters");
  public static final ConfigOption<String> AGG_TOPIC =
      topic("topic.telemetry.agg", "iot.telemetry.agg", "window aggregates");
  public static final ConfigOption<String> TREND_TOPIC =
      topic("topic.telemetry.trend", "iot.telemetry.trend", "trend aggregates");
  public static final ConfigOption<String> ENRICHED_TOPIC =
      topic(
          "topic.telemetry.enriched",
          "iot.telemetry.enriched",
          "valid, deduplicated, enriched telemetry (the SQL rules' `telemetry` table)");
  public static final ConfigOption<String> DEVICES_TOPIC =
      topic("topic.devices", "iot.devices", "the device registry (compacted)");
  public static final ConfigOption<Integer> MAX_PAYLOAD_BYTES =
      ConfigOption.key("telemetry.max-payload-bytes")
          .intType()
          .positive()
          .defaultValue(TelemetryParser.DEFAULT_MAX_PAYLOAD_BYTES)
          .description("larger payloads are rejected (`payload_too_large`)");
  public static final ConfigOption<Duration> MAX_FUTURE_SKEW =
      ConfigOption.key("telemetry.max-future-skew")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ofMillis(TelemetryParser.DEFAULT_MAX_FUTURE_SKEW_MS))
          .description("how far ahead of the server clock a `ts` may be (`ts_in_future`)");
  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOption.key("watermark.out-of-orderness")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ofSeconds(5))
          .description(
              "bounded out-of-orderness of event time: a device's watermark is its newest `ts`"
                  + " minus this");
  public static final ConfigOption<Duration> IDLENESS =
      ConfigOption.key("watermark.idleness")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(30))
          .description(
              "a partition silent this long stops holding back the watermark (trend windows only)");
  public static final ConfigOption<Duration> WINDOW_SIZE =
      ConfigOption.key("window.size")
          .durationType()
          .positive()
          .defaultValue(Duration.ofMinutes(1))
          .description("tumbling window size");
  public static final ConfigOption<Duration> ALLOWED_LATENESS =
      ConfigOption.key("window.allowed-lateness")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ZERO)
          .description(
              "a device's window closes (is emitted, once) when the device's own watermark passes"
                  + " its end plus this");
  public static final ConfigOption<Duration> IDLE_TIMEOUT =
      ConfigOption.key("window.idle-timeout")
          .durationType()
          .positive()
          .defaultValue(Duration.ofMinutes(2))
          .description(
              "processing time without records after which a silent device's open windows close");
  public static final ConfigOption<Integer> MAX_METRICS_PER_DEVICE =
      ConfigOption.key("telemetry.max-metrics-per-device")
          .intType()
          .positive()
          .defaultValue(64)
          .description(
              "distinct metric names a device may send; a record with one more is refused"
                  + " (`too_many_metrics`)");
  public static final ConfigOption<Duration> TREND_WINDOW_SIZE =
      ConfigOption.key("trend.window.size")
          .durationType()
          .positive()
          .defaultDescribedAs("(off)")
          .description("sliding trend windows of this size, e.g. `15m`");
  public static final ConfigOption<Duration> TREND_WINDOW_SLIDE =
      ConfigOption.key("trend.window.slide")
          .durationType()
          .positive()
          .description("how often a trend window starts, e.g. `1m`; required with the size");
  public static final ConfigOption<Duration> REGISTRY_HOLD_TIMEOUT =
      ConfigOption.key("registry.hold-timeout")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ofSeconds(30))
          .description(
              "on a fresh start, telemetry waits (in keyed state) until the device registry has"
                  + " been read to its end, at most this long; `0s`: no wait");
  public static final ConfigOption<Duration> DEDUPE_HORIZON =
      ConfigOption.key("dedupe.horizon")
          .durationType()
          .positive()
          .defaultValue(Duration.ofMinutes(10))
          .description("how long a `seq` (or content fingerprint) is remembered");
  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOption.key("checkpoint.interval")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(30))
          .description(
              "checkpointing interval; below the Kafka transaction timeout with `EXACTLY_ONCE`");
  public static final ConfigOption<String> CHECKPOINT_DIR =
      ConfigOption.key("checkpoint.dir")
          .stringType()
          .defaultDescribedAs("(cluster default)")
          .description("checkpoint storage, e.g. `s3://bucket/checkpoints`");
  public static final ConfigOption<StateBackend> STATE_BACKEND =
      ConfigOption.key("state.backend")
          .enumType(StateBackend.class)
          .defaultValue(StateBackend.HASHMAP)
          .description("`HASHMAP` or `ROCKSDB`");

  /** The Kafka options, with this job's consumer group. */
  public static final KafkaConfig.Options KAFKA = new KafkaConfig.Options("fleetpulse-telemetry");

  /** Every option this job reads; anything else in a file, the environment or argv is a mistake. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .addAll(KAFKA.set)
          .add(RAW_TOPIC, DLQ_TOPIC, AGG_TOPIC, TREND_TOPIC, ENRICHED_TOPIC, DEVICES_TOPIC)
          .add(MAX_PAYLOAD_BYTES, MAX_FUTURE_SKEW, OUT_OF_ORDERNESS, IDLENESS)
          .add(
              WINDOW_SIZE,
              ALLOWED_LATENESS,
              IDLE_TIMEOUT,
              MAX_METRICS_PER_DEVICE,
              TREND_WINDOW_SIZE,
              TREND_WINDOW_SLIDE)
          .add(DEDUPE_HORIZON, REGISTRY_HOLD_TIMEOUT)
          .add(CHECKPOINT_INTERVAL, CHECKPOINT_DIR, STATE_BACKEND)
          .addAll(InfluxConfig.OPTIONS)
          .addAll(ArchiveConfig.OPTIONS)
          .addAll(KinesisSourceConfig.OPTIONS)
          .build();

  /** Reads the configuration from {@code args} and {@code env}; fails naming every bad key. */
  public static TelemetryJobConfig load(String[] args, Map<String, String> env) {
    return from(Settings.load(args, env, OPTIONS));
  }

  /** The configuration from checked settings; fails on settings that contradict each other. */
  public static TelemetryJobConfig from(Settings s) {
    Duration trendSize = s.get(TREND_WINDOW_SIZE);
    Duration trendSlide = s.get(TREND_WINDOW_SLIDE);
    if (trendSize != null && trendSlide == null) {
      throw new ConfigException("trend.window.size is set, so trend.window.slide is required");
    }
    if (trendSize == null && trendSlide != null) {
      throw new ConfigException("trend.window.slide is set but trend.window.size is not");
    }
    if (trendSize != null && trendSlide.compareTo(trendSize) > 0) {
      throw new ConfigException(
          "trend.window.slide ("
              + trendSlide
              + ") must not exceed trend.window.size ("
              + trendSize
              + ")");
    }
    KafkaConfig kafka = KafkaConfig.from(s, KAFKA);
    Duration checkpointInterval = s.get(CHECKPOINT_INTERVAL);
    if (kafka.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE
        && checkpointInterval.compareTo(kafka.transactionTimeout()) >= 0) {
      throw new ConfigException(
          "checkpoint.interval ("
              + checkpointInterval
              + ") must be below the Kafka transaction timeout ("
              + kafka.transactionTimeout()
              + ", kafka.properties.transaction.timeout.ms) with EXACTLY_ONCE:"
              + " transactions would time out before their checkpoint commits them");
    }
    return new TelemetryJobConfig(
        kafka,
        s.get(RAW_TOPIC),
        s.get(DLQ_TOPIC),
        s.get(AGG_TOPIC),
        s.get(TREND_TOPIC),
        s.get(ENRICHED_TOPIC),
        s.get(DEVICES_TOPIC),
        s.get(DEDUPE_HORIZON),
        s.get(MAX_PAYLOAD_BYTES),
        s.get(MAX_FUTURE_SKEW),
        s.get(OUT_OF_ORDERNESS),
        s.get(IDLENESS),
        s.get(WINDOW_SIZE),
        s.get(ALLOWED_LATENESS),
        s.get(IDLE_TIMEOUT),
        s.get(MAX_METRICS_PER_DEVICE),
        trendSize,
        trendSlide,
        checkpointInterval,
        s.get(STATE_BACKEND).flinkName(),
        s.get(CHECKPOINT_DIR),
        InfluxConfig.from(s),
        ArchiveConfig.from(s),
        s.get(REGISTRY_HOLD_TIMEOUT));
  }

  /** The topics this job reads and writes, for the start-up check. */
  public java.util.List<String> topics() {
    java.util.List<String> topics =
        new java.util.ArrayList<>(
            java.util.List.of(
                rawTopic, devicesTopic, deadLetterTopic, aggregateTopic, enrichedTopic));
    if (trendWindowSize != null) {
      topics.add(trendTopic);
    }
    return topics;
  }

  private static ConfigOption<String> topic(String key, String defaultTopic, String what) {
    return KafkaOptions.topic(key, defaultTopic, what);
  }

  /** The state backends the job runs on. */
  public enum StateBackend {
    HASHMAP,
    ROCKSDB;

    /** The name Flink's {@code state.backend.type} takes. */
    public String flinkName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
