package io.fleetpulse.jobs.shadow;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.jobs.kafka.KafkaConfig;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.shadow.ShadowEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;

/** The ShadowJob's configuration, read and checked once at start-up. */
public record ShadowJobConfig(
    KafkaConfig kafka,
    String reportedTopic,
    String desiredTopic,
    String shadowsTopic,
    String deltaTopic,
    String responsesTopic,
    String deadLetterTopic,
    int maxDocumentBytes,
    Duration stateTtl,
    Duration checkpointInterval,
    String stateBackend,
    String checkpointDir) {

  public static final ConfigOption<String> REPORTED_TOPIC =
      topic("topic.shadow.reported", FleetTopics.SHADOW_REPORTED, "requests from devices");
  public static final ConfigOption<String> DESIRED_TOPIC =
      topic("topic.shadow.desired", FleetTopics.SHADOW_DESIRED, "requests from applications");
  public static final ConfigOption<String> SHADOWS_TOPIC =
      topic(
          "topic.shadows",
          FleetTopics.SHADOWS,
          "full documents, compacted, one key per shadow (written)");
  public static final ConfigOption<String> DELTA_TOPIC =
      topic("topic.shadow.delta", FleetTopics.SHADOW_DELTA, "delta documents (written)");
  public static final ConfigOption<String> RESPONSES_TOPIC =
      topic(
          "topic.shadow.responses",
          FleetTopics.SHADOW_RESPONSES,
          "accepted / rejected / documents responses (written)");
  public static final ConfigOption<String> DLQ_TOPIC =
      topic("topic.shadow.dlq", FleetTopics.SHADOW_DLQ, "records that name no shadow (written)");
  public static final ConfigOption<Integer> MAX_DOCUMENT_BYTES =
      ConfigOption.key("shadow.max-document-bytes")
          .intType()
          .between(1, 1024 * 1024)
          .defaultValue(ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES)
          .description(
              "largest state of a shadow (metadata not counted); larger updates get 413, as on"
                  + " AWS (8 KiB)");
  public static final ConfigOption<Duration> STATE_TTL =
      ConfigOption.key("shadow.state-ttl")
          .durationType()
          .positive()
          .defaultDescribedAs("(off)")
          .description(
              "a shadow neither written nor read for this long is dropped from state, e.g."
                  + " `365d`");

  /** The Kafka options, with this job's consumer group. */
  public static final KafkaConfig.Options KAFKA = new KafkaConfig.Options("fleetpulse-shadow");

  /** Every option this job reads. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .addAll(KAFKA.set)
          .add(REPORTED_TOPIC, DESIRED_TOPIC, SHADOWS_TOPIC, DELTA_TOPIC, RESPONSES_TOPIC)
          .add(DLQ_TOPIC, MAX_DOCUMENT_BYTES, STATE_TTL)
          .add(
              TelemetryJobConfig.CHECKPOINT_INTERVAL,
              TelemetryJobConfig.CHECKPOINT_DIR,
              TelemetryJobConfig.STATE_BACKEND)
          .build();

  /** Reads the configuration from {@code args} and {@code env}; fails naming every bad key. */
  public static ShadowJobConfig load(String[] args, Map<String, String> env) {
    return from(Settings.load(args, env, OPTIONS));
  }

  /** The configuration from checked settings; fails on settings that contradict each other. */
  public static ShadowJobConfig from(Settings s) {
    KafkaConfig kafka = KafkaConfig.from(s, KAFKA);
    Duration checkpointInterval = s.get(TelemetryJobConfig.CHECKPOINT_INTERVAL);
    if (kafka.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE
        && checkpointInterval.compareTo(kafka.transactionTimeout()) >= 0) {
      throw new ConfigException(
          "checkpoint.interval ("
              + checkpointInterval
              + ") must be below the Kafka transaction timeout ("
              + kafka.transactionTimeout()
              + ", kafka.properties.transaction.timeout.ms) with EXACTLY_ONCE");
    }
    return new ShadowJobConfig(
        kafka,
        s.get(REPORTED_TOPIC),
        s.get(DESIRED_TOPIC),
        s.get(SHADOWS_TOPIC),
        s.get(DELTA_TOPIC),
        s.get(RESPONSES_TOPIC),
        s.get(DLQ_TOPIC),
        s.get(MAX_DOCUMENT_BYTES),
        s.get(STATE_TTL),
        checkpointInterval,
        s.get(TelemetryJobConfig.STATE_BACKEND).flinkName(),
        s.get(TelemetryJobConfig.CHECKPOINT_DIR));
  }

  /** The topics this job reads and writes, for the start-up check. */
  public List<String> topics() {
    return List.of(
        reportedTopic, desiredTopic, shadowsTopic, deltaTopic, responsesTopic, deadLetterTopic);
  }

  private static ConfigOption<String> topic(String key, FleetTopics.Topic topic, String what) {
    return KafkaOptions.topic(key, topic.name(), what);
  }
}
