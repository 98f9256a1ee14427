package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.Settings;
import io.fleetpulse.jobs.influx.InfluxConfig;
import io.fleetpulse.jobs.kafka.KafkaConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

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
    String devicesTopic,
    Duration dedupeHorizon,
    int maxPayloadBytes,
    Duration maxFutureSkew,
    Duration outOfOrderness,
    Duration idleness,
    Duration windowSize,
    Duration allowedLateness,
    Duration trendWindowSize,
    Duration trendWindowSlide,
    Duration checkpointInterval,
    String stateBackend,
    String checkpointDir,
    InfluxConfig influx) {

  /** Every key this job reads; anything else in a file or the arguments is a mistake. */
  public static final Set<String> KEYS =
      KafkaConfig.withKafkaKeys(
          InfluxConfig.KEYS,
          Set.of(
              "topic.telemetry.raw",
              "topic.telemetry.dlq",
              "topic.telemetry.agg",
              "topic.telemetry.trend",
              "trend.window.size",
              "trend.window.slide",
              "topic.devices",
              "dedupe.horizon",
              "state.backend",
              "checkpoint.dir",
              "telemetry.max-payload-bytes",
              "telemetry.max-future-skew",
              "watermark.out-of-orderness",
              "watermark.idleness",
              "window.size",
              "window.allowed-lateness",
              "checkpoint.interval"));

  /** Reads the configuration from {@code args} and {@code env}; fails naming a bad key. */
  public static TelemetryJobConfig load(String[] args, Map<String, String> env) {
    Settings s = Settings.load(args, env, KEYS, Set.of(KafkaConfig.PASS_THROUGH_PREFIX));
    Duration trendSize =
        s.contains("trend.window.size") ? s.positiveDuration("trend.window.size", null) : null;
    Duration trendSlide = null;
    if (trendSize != null) {
      trendSlide = s.positiveDuration("trend.window.slide", null);
      if (trendSlide == null) {
        throw new ConfigException("trend.window.size is set, so trend.window.slide is required");
      }
      if (trendSlide.compareTo(trendSize) > 0) {
        throw new ConfigException(
            "trend.window.slide ("
                + trendSlide
                + ") must not exceed trend.window.size ("
                + trendSize
                + ")");
      }
    } else if (s.contains("trend.window.slide")) {
      throw new ConfigException("trend.window.slide is set but trend.window.size is not");
    }
    return new TelemetryJobConfig(
        KafkaConfig.from(s, "fleetpulse-telemetry"),
        s.string("topic.telemetry.raw", "iot.telemetry.raw"),
        s.string("topic.telemetry.dlq", "iot.telemetry.dlq"),
        s.string("topic.telemetry.agg", "iot.telemetry.agg"),
        s.string("topic.telemetry.trend", "iot.telemetry.trend"),
        s.string("topic.devices", "iot.devices"),
        s.positiveDuration("dedupe.horizon", Duration.ofMinutes(10)),
        s.positiveInt("telemetry.max-payload-bytes", 64 * 1024),
        s.duration("telemetry.max-future-skew", Duration.ofDays(1)),
        s.duration("watermark.out-of-orderness", Duration.ofSeconds(5)),
        s.positiveDuration("watermark.idleness", Duration.ofSeconds(30)),
        s.positiveDuration("window.size", Duration.ofMinutes(1)),
        s.duration("window.allowed-lateness", Duration.ZERO),
        trendSize,
        trendSlide,
        s.positiveDuration("checkpoint.interval", Duration.ofSeconds(30)),
        s.enumValue("state.backend", StateBackend.class, StateBackend.HASHMAP).flinkName(),
        s.string("checkpoint.dir", null),
        InfluxConfig.from(s));
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
