package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.jobs.kafka.KafkaConfig;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.model.AlertSeverity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The AnomalyJob's configuration, read and checked once at start-up (rules file included). */
public record AnomalyJobConfig(
    KafkaConfig kafka,
    String telemetryTopic,
    String devicesTopic,
    String signalsTopic,
    String actionsTopic,
    String alertsTopic,
    String deadLetterTopic,
    AnomalyRules rules,
    Duration outOfOrderness,
    Duration offlineHeartbeat,
    int offlineFactor,
    AlertSeverity offlineSeverity,
    LifecycleSettings lifecycle,
    int maxPayloadBytes,
    Duration maxFutureSkew,
    Duration checkpointInterval,
    String stateBackend,
    String checkpointDir,
    Duration bufferTimeout) {

  public static final ConfigOption<String> TELEMETRY_TOPIC =
      topic(
          "topic.telemetry",
          "iot.telemetry.enriched",
          "telemetry the detectors watch: the TelemetryJob's valid, deduplicated readings (or"
              + " `iot.telemetry.raw` without a TelemetryJob)");
  public static final ConfigOption<String> DEVICES_TOPIC =
      topic("topic.devices", "iot.devices", "the device registry (heartbeats)");
  public static final ConfigOption<String> SIGNALS_TOPIC =
      topic("topic.alert.signals", "iot.alert.signals", "signals of other detectors");
  public static final ConfigOption<String> ACTIONS_TOPIC =
      topic("topic.alert.actions", "iot.alert.actions", "users' ack / snooze / resolve");
  public static final ConfigOption<String> ALERTS_TOPIC =
      topic("topic.alerts", "iot.alerts", "alert transitions (written)");
  public static final ConfigOption<String> DLQ_TOPIC =
      topic("topic.alert.dlq", "iot.alert.dlq", "refused signals and actions (written)");
  public static final ConfigOption<String> RULES_FILE =
      ConfigOption.key("anomaly.rules-file")
          .stringType()
          .nonBlank()
          .defaultDescribedAs("(no rules)")
          .description("JSON rules file of the detectors (see Rules file)");
  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOption.key("anomaly.out-of-orderness")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ZERO)
          .description(
              "readings up to this much older than a device's newest are put back in order before"
                  + " the detectors (alerts wait as long); older ones are dropped, counted");
  public static final ConfigOption<Duration> OFFLINE_HEARTBEAT =
      ConfigOption.key("offline.default-heartbeat")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(60))
          .description("heartbeat of a device without `heartbeatSeconds` in the registry");
  public static final ConfigOption<Integer> OFFLINE_FACTOR =
      ConfigOption.key("offline.heartbeat-factor")
          .intType()
          .positive()
          .defaultValue(3)
          .description("offline after this many heartbeats without a message");
  public static final ConfigOption<AlertSeverity> OFFLINE_SEVERITY =
      ConfigOption.key("offline.severity")
          .enumType(AlertSeverity.class)
          .defaultValue(AlertSeverity.WARNING)
          .description("severity of offline alerts");
  public static final ConfigOption<Duration> UPDATE_INTERVAL =
      ConfigOption.key("alert.update-interval")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ofMinutes(1))
          .description("an open alert's count and value are re-published at most this often");
  public static final ConfigOption<Duration> REOPEN_WITHIN =
      ConfigOption.key("alert.reopen-within")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ZERO)
          .description("an ACTIVE this soon after RESOLVED re-opens the same alert; `0`: never");
  public static final ConfigOption<Integer> FLAP_COUNT =
      ConfigOption.key("alert.flap-count")
          .intType()
          .nonNegative()
          .defaultValue(5)
          .description("more openings than this within the flap window: FLAPPING; `0`: off");
  public static final ConfigOption<Duration> FLAP_WINDOW =
      ConfigOption.key("alert.flap-window")
          .durationType()
          .positive()
          .defaultValue(Duration.ofMinutes(10))
          .description("window of the flapping count, and how long it must be stable to settle");

  public static final ConfigOption<Duration> BUFFER_TIMEOUT =
      ConfigOption.key("anomaly.buffer-timeout")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ofMillis(10))
          .description(
              "longest a network buffer waits to fill before it is sent; each of the job's"
                  + " shuffles adds up to this to an alert's latency (Flink's default: 100 ms);"
                  + " `0`: send every record at once (costs throughput)");

  /** The Kafka options, with this job's consumer group. */
  public static final KafkaConfig.Options KAFKA = new KafkaConfig.Options("fleetpulse-anomaly");

  /** Every option this job reads. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .addAll(KAFKA.set)
          .add(TELEMETRY_TOPIC, DEVICES_TOPIC, SIGNALS_TOPIC, ACTIONS_TOPIC, ALERTS_TOPIC)
          .add(DLQ_TOPIC, RULES_FILE, OUT_OF_ORDERNESS, BUFFER_TIMEOUT)
          .add(OFFLINE_HEARTBEAT, OFFLINE_FACTOR, OFFLINE_SEVERITY)
          .add(UPDATE_INTERVAL, REOPEN_WITHIN, FLAP_COUNT, FLAP_WINDOW)
          .add(TelemetryJobConfig.MAX_PAYLOAD_BYTES, TelemetryJobConfig.MAX_FUTURE_SKEW)
          .add(
              TelemetryJobConfig.CHECKPOINT_INTERVAL,
              TelemetryJobConfig.CHECKPOINT_DIR,
              TelemetryJobConfig.STATE_BACKEND)
          .build();

  /** Reads the configuration from {@code args} and {@code env}; fails naming every bad key. */
  public static AnomalyJobConfig load(String[] args, Map<String, String> env) {
    return from(Settings.load(args, env, OPTIONS));
  }

  /** The configuration from checked settings, with the rules file read and checked. */
  public static AnomalyJobConfig from(Settings s) {
    String rulesFile = s.get(RULES_FILE);
    return new AnomalyJobConfig(
        KafkaConfig.from(s, KAFKA),
        s.get(TELEMETRY_TOPIC),
        s.get(DEVICES_TOPIC),
        s.get(SIGNALS_TOPIC),
        s.get(ACTIONS_TOPIC),
        s.get(ALERTS_TOPIC),
        s.get(DLQ_TOPIC),
        rulesFile == null ? AnomalyRules.NONE : AnomalyRules.load(Path.of(rulesFile)),
        s.get(OUT_OF_ORDERNESS),
        s.get(OFFLINE_HEARTBEAT),
        s.get(OFFLINE_FACTOR),
        s.get(OFFLINE_SEVERITY),
        new LifecycleSettings(
            s.get(UPDATE_INTERVAL), s.get(REOPEN_WITHIN), s.get(FLAP_COUNT), s.get(FLAP_WINDOW)),
        s.get(TelemetryJobConfig.MAX_PAYLOAD_BYTES),
        s.get(TelemetryJobConfig.MAX_FUTURE_SKEW),
        s.get(TelemetryJobConfig.CHECKPOINT_INTERVAL),
        s.get(TelemetryJobConfig.STATE_BACKEND).flinkName(),
        s.get(TelemetryJobConfig.CHECKPOINT_DIR),
        s.get(BUFFER_TIMEOUT));
  }

  /** The same configuration with other rules (tests, embedding). */
  public AnomalyJobConfig withRules(AnomalyRules other) {
    return with(other, outOfOrderness, lifecycle);
  }

  /** The same configuration with other lifecycle settings. */
  public AnomalyJobConfig withLifecycle(LifecycleSettings other) {
    return with(rules, outOfOrderness, other);
  }

  /** The same configuration with another out-of-orderness bound. */
  public AnomalyJobConfig withOutOfOrderness(Duration other) {
    return with(rules, other, lifecycle);
  }

  private AnomalyJobConfig with(
      AnomalyRules rules, Duration outOfOrderness, LifecycleSettings lifecycle) {
    return new AnomalyJobConfig(
        kafka,
        telemetryTopic,
        devicesTopic,
        signalsTopic,
        actionsTopic,
        alertsTopic,
        deadLetterTopic,
        rules,
        outOfOrderness,
        offlineHeartbeat,
        offlineFactor,
        offlineSeverity,
        lifecycle,
        maxPayloadBytes,
        maxFutureSkew,
        checkpointInterval,
        stateBackend,
        checkpointDir,
        bufferTimeout);
  }

  /** The topics this job reads and writes, for the start-up check. */
  public List<String> topics() {
    return List.of(
        telemetryTopic, devicesTopic, signalsTopic, actionsTopic, alertsTopic, deadLetterTopic);
  }

  private static ConfigOption<String> topic(String key, String defaultTopic, String what) {
    return KafkaOptions.topic(key, defaultTopic, what);
  }
}
