package io.fleetpulse.api;

import io.fleetpulse.api.graphql.GraphQlOptions;
import io.fleetpulse.api.internal.ApiKeys;
import io.fleetpulse.api.live.LiveOptions;
import io.fleetpulse.api.webhooks.WebhookOptions;
import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.model.FleetTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The options of the API service, read once from {@link Settings} and validated there; see the
 * module README for every key.
 */
public final class ShadowApiConfig {

  public static final ConfigOption<String> DEVICES_TOPIC =
      topic(
          "topic.devices",
          FleetTopics.DEVICES,
          "the device registry (compacted; read and written)");
  public static final ConfigOption<String> SHADOWS_TOPIC =
      topic("topic.shadows", FleetTopics.SHADOWS, "full shadow documents (compacted; read)");
  public static final ConfigOption<String> SHADOW_DESIRED_TOPIC =
      topic("topic.shadow.desired", FleetTopics.SHADOW_DESIRED, "desired-state updates (written)");
  public static final ConfigOption<String> ALERTS_TOPIC =
      topic("topic.alerts", FleetTopics.ALERTS, "alert transitions (read)");
  public static final ConfigOption<String> COMMANDS_TOPIC =
      topic("topic.commands", FleetTopics.COMMANDS, "commands for devices (written)");
  public static final ConfigOption<String> HTTP_HOST =
      ConfigOption.key("http.host")
          .stringType()
          .nonBlank()
          .defaultValue("0.0.0.0")
          .description("address the API listens on");
  public static final ConfigOption<Integer> HTTP_PORT =
      ConfigOption.key("http.port")
          .intType()
          .between(0, 65_535)
          .defaultValue(8081)
          .description("port the API listens on; `0` any free port");
  public static final ConfigOption<Integer> MAX_BODY_BYTES =
      ConfigOption.key("http.max-body-bytes")
          .intType()
          .between(1, 16 * 1024 * 1024)
          .defaultValue(1024 * 1024)
          .description("larger request bodies are refused with 413");
  public static final ConfigOption<String> API_KEYS =
      ConfigOption.key("auth.api-keys")
          .stringType()
          .required()
          .description(
              "comma-separated `KEY=ROLE` (roles `reader`, `operator`, `admin`); a key may be"
                  + " given as `sha256:HEX` of the key; only hashes are kept"
                  + " (`FLEETPULSE_AUTH_API_KEYS`)");
  public static final ConfigOption<Duration> WRITE_TIMEOUT =
      ConfigOption.key("kafka.write-timeout")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(10))
          .description(
              "how long a write waits for Kafka's acknowledgement (and for the view to show it)"
                  + " before answering 503");
  public static final ConfigOption<Integer> MAX_ALERT_TRANSITIONS =
      ConfigOption.key("alerts.max-transitions")
          .intType()
          .positive()
          .defaultValue(50)
          .description("transitions kept per alert for `GET /alerts/{alertId}` (the newest)");

  /** Every option of the API service. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(KafkaOptions.BOOTSTRAP_SERVERS, WRITE_TIMEOUT)
          .add(DEVICES_TOPIC, SHADOWS_TOPIC, SHADOW_DESIRED_TOPIC, ALERTS_TOPIC, COMMANDS_TOPIC)
          .add(HTTP_HOST, HTTP_PORT, MAX_BODY_BYTES, API_KEYS, MAX_ALERT_TRANSITIONS)
          .add(WebhookOptions.ALL.toArray(ConfigOption<?>[]::new))
          .add(LiveOptions.ALL.toArray(ConfigOption<?>[]::new))
          .add(GraphQlOptions.ALL.toArray(ConfigOption<?>[]::new))
          .prefix(KafkaOptions.PROPERTIES_PREFIX, KafkaOptions.PROPERTIES_DESCRIPTION)
          .build();

  final String bootstrapServers;
  final Map<String, String> kafkaProperties;
  final Duration writeTimeout;
  final String devicesTopic;
  final String shadowsTopic;
  final String shadowDesiredTopic;
  final String alertsTopic;
  final String commandsTopic;
  final String httpHost;
  final int httpPort;
  final int maxBodyBytes;
  final ApiKeys apiKeys;
  final int maxAlertTransitions;
  final WebhookOptions webhooks;
  final LiveOptions live;
  final GraphQlOptions graphql;

  private ShadowApiConfig(Settings s) {
    bootstrapServers = s.get(KafkaOptions.BOOTSTRAP_SERVERS);
    kafkaProperties = s.withPrefix(KafkaOptions.PROPERTIES_PREFIX);
    writeTimeout = s.get(WRITE_TIMEOUT);
    devicesTopic = s.get(DEVICES_TOPIC);
    shadowsTopic = s.get(SHADOWS_TOPIC);
    shadowDesiredTopic = s.get(SHADOW_DESIRED_TOPIC);
    alertsTopic = s.get(ALERTS_TOPIC);
    commandsTopic = s.get(COMMANDS_TOPIC);
    httpHost = s.get(HTTP_HOST);
    httpPort = s.get(HTTP_PORT);
    maxBodyBytes = s.get(MAX_BODY_BYTES);
    try {
      apiKeys = ApiKeys.parse(s.get(API_KEYS));
    } catch (IllegalArgumentException e) {
      // The message names the entry by position only: keys are secrets.
      throw new ConfigException("setting '" + API_KEYS.key() + "': " + e.getMessage(), e);
    }
    maxAlertTransitions = s.get(MAX_ALERT_TRANSITIONS);
    webhooks = WebhookOptions.from(s);
    live = LiveOptions.from(s);
    graphql = GraphQlOptions.from(s);
  }

  /**
   * Reads and validates the options.
   *
   * @throws ConfigException naming the first bad setting
   */
  public static ShadowApiConfig from(Settings settings) {
    return new ShadowApiConfig(settings);
  }

  /** Reads the options from command-line arguments, the {@code --config} file and the env. */
  public static ShadowApiConfig load(String[] args, Map<String, String> env) {
    return from(Settings.load(args, env, OPTIONS));
  }

  /** The Kafka topics the service reads and writes; all must exist at start. */
  public List<String> topics() {
    return List.of(devicesTopic, shadowsTopic, shadowDesiredTopic, alertsTopic, commandsTopic);
  }

  private static ConfigOption<String> topic(String key, FleetTopics.Topic topic, String what) {
    return KafkaOptions.topic(key, topic.name(), what);
  }
}
