package io.fleetpulse.api;

import io.fleetpulse.api.graphql.GraphQlOptions;
import io.fleetpulse.api.internal.ApiKeys;
import io.fleetpulse.api.internal.ServingOptions;
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
  public static final ConfigOption<String> EVENTS_TOPIC =
      topic(
          "topic.events",
          FleetTopics.EVENTS_RAW,
          "device events: command acknowledgements, for the command status (read)");
  public static final ConfigOption<Integer> MAX_TRACKED_COMMANDS =
      ConfigOption.key("commands.max-tracked")
          .intType()
          .positive()
          .defaultValue(100_000)
          .description("newest commands whose delivery status is kept (older ones: 404)");
  public static final ConfigOption<String> SHADOW_RESPONSES_TOPIC =
      KafkaOptions.topic(
          "topic.shadow.responses",
          "iot.shadow.responses",
          "the ShadowJob's answers, for `?wait=` (read from the end)");
  // One declaration for REST and GraphQL, which both write actions.
  public static final ConfigOption<String> ALERT_ACTIONS_TOPIC = GraphQlOptions.ACTIONS_TOPIC;
  // One declaration for the connectivity view and the device streams, which both read it.
  public static final ConfigOption<String> TELEMETRY_AGG_TOPIC = LiveOptions.AGG_TOPIC;
  public static final ConfigOption<String> INFLUX_URL =
      ConfigOption.key("influx.url")
          .stringType()
          .nonBlank()
          .description(
              "InfluxDB base URL for the metrics routes (InfluxQL `/query`: 1.x, 2.x v1 API, 3.x);"
                  + " unset: they answer 503");
  public static final ConfigOption<String> INFLUX_DB =
      ConfigOption.key("influx.db")
          .stringType()
          .nonBlank()
          .defaultValue("fleetpulse")
          .description("database (2.x: the bucket's v1 mapping) holding `telemetry_agg`");
  public static final ConfigOption<String> INFLUX_USER =
      ConfigOption.key("influx.user").stringType().description("InfluxDB user (basic auth)");
  public static final ConfigOption<String> INFLUX_PASSWORD =
      ConfigOption.key("influx.password")
          .stringType()
          .description("InfluxDB password (`FLEETPULSE_INFLUX_PASSWORD`)");
  public static final ConfigOption<String> INFLUX_TOKEN =
      ConfigOption.key("influx.token")
          .stringType()
          .description("InfluxDB token, sent as `Token ...` (`FLEETPULSE_INFLUX_TOKEN`)");
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
          .add(SHADOW_RESPONSES_TOPIC, ALERT_ACTIONS_TOPIC, TELEMETRY_AGG_TOPIC)
          .add(EVENTS_TOPIC, MAX_TRACKED_COMMANDS)
          .add(INFLUX_URL, INFLUX_DB, INFLUX_USER, INFLUX_PASSWORD, INFLUX_TOKEN)
          .add(WebhookOptions.ALL.toArray(ConfigOption<?>[]::new))
          .add(LiveOptions.ALL.toArray(ConfigOption<?>[]::new))
          .add(GraphQlOptions.ALL.toArray(ConfigOption<?>[]::new))
          .add(ServingOptions.ALL.toArray(ConfigOption<?>[]::new))
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
  final String eventsTopic;
  final int maxTrackedCommands;
  final String httpHost;
  final int httpPort;
  final int maxBodyBytes;
  final ApiKeys apiKeys;
  final int maxAlertTransitions;
  final String shadowResponsesTopic;
  final String alertActionsTopic;
  final String telemetryAggTopic;
  final String influxUrl;
  final String influxDb;
  final String influxUser;
  final String influxPassword;
  final String influxToken;
  final WebhookOptions webhooks;
  final LiveOptions live;
  final GraphQlOptions graphql;
  final ServingOptions serving;

  private ShadowApiConfig(Settings s) {
    bootstrapServers = s.get(KafkaOptions.BOOTSTRAP_SERVERS);
    kafkaProperties = s.withPrefix(KafkaOptions.PROPERTIES_PREFIX);
    writeTimeout = s.get(WRITE_TIMEOUT);
    devicesTopic = s.get(DEVICES_TOPIC);
    shadowsTopic = s.get(SHADOWS_TOPIC);
    shadowDesiredTopic = s.get(SHADOW_DESIRED_TOPIC);
    alertsTopic = s.get(ALERTS_TOPIC);
    commandsTopic = s.get(COMMANDS_TOPIC);
    eventsTopic = s.get(EVENTS_TOPIC);
    maxTrackedCommands = s.get(MAX_TRACKED_COMMANDS);
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
    shadowResponsesTopic = s.get(SHADOW_RESPONSES_TOPIC);
    alertActionsTopic = s.get(ALERT_ACTIONS_TOPIC);
    telemetryAggTopic = s.get(TELEMETRY_AGG_TOPIC);
    influxUrl = s.get(INFLUX_URL);
    influxDb = s.get(INFLUX_DB);
    influxUser = s.get(INFLUX_USER);
    influxPassword = s.get(INFLUX_PASSWORD);
    influxToken = s.get(INFLUX_TOKEN);
    webhooks = WebhookOptions.from(s);
    live = LiveOptions.from(s);
    graphql = GraphQlOptions.from(s);
    serving = ServingOptions.from(s);
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
    return List.of(
        devicesTopic,
        shadowsTopic,
        shadowDesiredTopic,
        alertsTopic,
        commandsTopic,
        eventsTopic,
        shadowResponsesTopic,
        alertActionsTopic,
        telemetryAggTopic);
  }

  private static ConfigOption<String> topic(String key, FleetTopics.Topic topic, String what) {
    return KafkaOptions.topic(key, topic.name(), what);
  }
}
