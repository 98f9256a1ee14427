package io.fleetpulse.sql;

import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.model.FleetTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The SqlRulesJob's and the rules tools' configuration: where the tables live, which rules run. */
public record SqlRulesConfig(
    String bootstrapServers,
    String groupId,
    Map<String, String> kafkaProperties,
    String telemetryTopic,
    String aggregateTopic,
    String devicesTopic,
    String signalsTopic,
    String sqlDir,
    List<String> rules,
    Duration checkpointInterval,
    String stateTtl) {

  public static final ConfigOption<String> GROUP_ID =
      ConfigOption.key("kafka.group.id")
          .stringType()
          .nonBlank()
          .defaultValue("fleetpulse-sql-rules")
          .description("consumer group of the rules' Kafka sources");
  public static final ConfigOption<String> TELEMETRY_TOPIC =
      topic("topic.telemetry.enriched", FleetTopics.TELEMETRY_ENRICHED, "table `telemetry`");
  public static final ConfigOption<String> AGG_TOPIC =
      topic("topic.telemetry.agg", FleetTopics.TELEMETRY_AGG, "table `telemetry_agg`");
  public static final ConfigOption<String> DEVICES_TOPIC =
      topic("topic.devices", FleetTopics.DEVICES, "table `devices`");
  public static final ConfigOption<String> SIGNALS_TOPIC =
      topic("topic.alert.signals", FleetTopics.ALERT_SIGNALS, "table `alert_signals`");
  public static final ConfigOption<String> SQL_DIR =
      ConfigOption.key("sql.dir")
          .stringType()
          .nonBlank()
          .defaultValue("sql")
          .description("folder with `ddl/` and `rules/`");
  public static final ConfigOption<String> RULES =
      ConfigOption.key("sql.rules")
          .stringType()
          .defaultDescribedAs("(all)")
          .description("comma-separated rule names (file names without `.sql`) this job runs");
  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOption.key("checkpoint.interval")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(30))
          .description("checkpointing interval");
  public static final ConfigOption<Duration> STATE_TTL =
      ConfigOption.key("sql.state-ttl")
          .durationType()
          .positive()
          .defaultValue(Duration.ofHours(1))
          .description(
              "`table.exec.state.ttl`: state of joins and aggregations idle this long is dropped");

  /** Every option. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(KafkaOptions.BOOTSTRAP_SERVERS, GROUP_ID)
          .add(TELEMETRY_TOPIC, AGG_TOPIC, DEVICES_TOPIC, SIGNALS_TOPIC)
          .add(SQL_DIR, RULES, CHECKPOINT_INTERVAL, STATE_TTL)
          .prefix(KafkaOptions.PROPERTIES_PREFIX, KafkaOptions.PROPERTIES_DESCRIPTION)
          .build();

  /** Reads and checks the configuration. */
  public static SqlRulesConfig load(String[] args, Map<String, String> env) {
    return from(Settings.load(args, env, OPTIONS));
  }

  static SqlRulesConfig from(Settings s) {
    List<String> rules = new ArrayList<>();
    for (String r : s.getOrElse(RULES, "").split(",")) {
      if (!r.isBlank()) {
        rules.add(r.strip());
      }
    }
    return new SqlRulesConfig(
        s.get(KafkaOptions.BOOTSTRAP_SERVERS),
        s.get(GROUP_ID),
        s.withPrefix(KafkaOptions.PROPERTIES_PREFIX),
        s.get(TELEMETRY_TOPIC),
        s.get(AGG_TOPIC),
        s.get(DEVICES_TOPIC),
        s.get(SIGNALS_TOPIC),
        s.get(SQL_DIR),
        List.copyOf(rules),
        s.get(CHECKPOINT_INTERVAL),
        s.get(STATE_TTL).toMillis() + " ms");
  }

  /** The topics the rules read and write, for the start-up check. */
  public List<String> topics() {
    return List.of(telemetryTopic, aggregateTopic, devicesTopic, signalsTopic);
  }

  /** The tables on Kafka, as this configuration says. */
  public TableBindings kafkaBindings() {
    return new TableBindings()
        .with("telemetry", source(telemetryTopic))
        .with("telemetry_agg", source(aggregateTopic))
        .with("devices", upsert(devicesTopic))
        .column("devices.updatedAt", "updatedAt TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL")
        .with("alert_signals", sink(signalsTopic));
  }

  private Map<String, String> common(String connector, String topic) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("connector", connector);
    o.put("topic", topic);
    o.put("properties.bootstrap.servers", bootstrapServers);
    kafkaProperties.forEach((k, v) -> o.put("properties." + k, v));
    return o;
  }

  private Map<String, String> source(String topic) {
    Map<String, String> o = common("kafka", topic);
    o.put("properties.group.id", groupId);
    o.put("properties.isolation.level", "read_committed");
    o.put("scan.startup.mode", "group-offsets");
    o.put("properties.auto.offset.reset", "earliest");
    o.put("format", "json");
    // The TelemetryJob writes only valid records; anything else is not a rule's business.
    o.put("json.ignore-parse-errors", "true");
    return o;
  }

  private Map<String, String> upsert(String topic) {
    Map<String, String> o = common("upsert-kafka", topic);
    o.put("properties.group.id", groupId);
    o.put("key.format", "raw");
    o.put("value.format", "json");
    // An empty registry value deletes like a tombstone does elsewhere; unreadable ones are skipped.
    o.put("value.json.ignore-parse-errors", "true");
    return o;
  }

  private Map<String, String> sink(String topic) {
    Map<String, String> o = common("kafka", topic);
    o.put("key.format", "raw");
    o.put("key.fields", "deviceId");
    o.put("value.format", "json");
    o.put("sink.delivery-guarantee", "at-least-once");
    return o;
  }

  private static ConfigOption<String> topic(String key, FleetTopics.Topic topic, String what) {
    return KafkaOptions.topic(key, topic.name(), what);
  }
}
