package io.fleetpulse.connectors.mqtt;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.mqtt.internal.TopicPattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of the MQTT bridge, read once from {@link Settings} and validated there; see the
 * module README for every key.
 */
public final class MqttBridgeConfig {

  /** Prefix of Kafka properties for the uplink producer only. */
  public static final String KAFKA_PRODUCER = "kafka.producer.";

  /** Prefix of Kafka properties for the downlink consumer only. */
  public static final String KAFKA_CONSUMER = "kafka.consumer.";

  static final String DEFAULT_UPLINK_ROUTES =
      "devices/{deviceId}/telemetry=iot.telemetry.raw,"
          + "devices/{deviceId}/events=iot.events.raw,"
          + "devices/{deviceId}/shadow/update=iot.shadow.reported,"
          + "devices/{deviceId}/shadow/get=iot.shadow.reported,"
          + "devices/{deviceId}/shadow/delete=iot.shadow.reported,"
          + "devices/{deviceId}/shadow/name/{shadowName}/update=iot.shadow.reported,"
          + "devices/{deviceId}/shadow/name/{shadowName}/get=iot.shadow.reported,"
          + "devices/{deviceId}/shadow/name/{shadowName}/delete=iot.shadow.reported";

  static final String DEFAULT_DOWNLINK_ROUTES =
      "iot.shadow.delta=devices/{deviceId}/shadow/delta,"
          + "iot.shadow.responses=devices/{deviceId}/shadow/{shadowResponse},"
          + "iot.commands=devices/{deviceId}/commands";

  /** The largest payload the bridge accepts: Kafka's default message size leaves room for this. */
  static final int MAX_PAYLOAD_LIMIT = 900 * 1024;

  public static final ConfigOption<String> REJECTED_TOPIC =
      ConfigOption.key("topic.bridge.rejected")
          .stringType()
          .nonBlank()
          .defaultValue("iot.bridge.rejected")
          .description("where rejected messages go (headers `dlq.*`, see below)");
  public static final ConfigOption<String> MQTT_HOST =
      ConfigOption.key("mqtt.host")
          .stringType()
          .nonBlank()
          .defaultValue("127.0.0.1")
          .description("the broker's host");
  public static final ConfigOption<Integer> MQTT_PORT =
      ConfigOption.key("mqtt.port")
          .intType()
          .between(1, 65_535)
          .defaultValue(1883)
          .description("the broker's port");
  public static final ConfigOption<String> CLIENT_ID =
      ConfigOption.key("mqtt.client-id")
          .stringType()
          .nonBlank()
          .defaultValue("fleetpulse-mqtt-bridge")
          .description(
              "**one per instance, stable across restarts**: the broker keeps the session under"
                  + " it");
  public static final ConfigOption<String> SHARED_GROUP =
      ConfigOption.key("mqtt.shared-group")
          .stringType()
          .defaultValue("fleetpulse-bridge")
          .description(
              "shared-subscription group, so several instances split the load; empty = plain"
                  + " subscriptions");
  public static final ConfigOption<Duration> SESSION_EXPIRY =
      ConfigOption.key("mqtt.session-expiry")
          .durationType()
          .positive()
          .defaultValue(Duration.ofHours(1))
          .description("how long the broker keeps queueing for a bridge that is away");

  /**
   * Room for the rest of an MQTT PUBLISH packet beside its payload (fixed header, topic of up to
   * 65,535 bytes, packet id, properties): the client's maximum packet size is the payload limit
   * plus this.
   */
  static final int MQTT_PACKET_OVERHEAD = 64 * 1024;

  /**
   * Room for key, headers and batch framing of a typical record beside its payload: {@code
   * uplink.max-payload-bytes} plus this must fit into the producer's {@code max.request.size}.
   * Records with larger headers are still checked one by one.
   */
  static final int RECORD_OVERHEAD = 1024;

  /** Kafka's default {@code max.request.size}. */
  static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

  public static final ConfigOption<Integer> RECEIVE_MAXIMUM =
      ConfigOption.key("mqtt.receive-maximum")
          .intType()
          .between(1, 65_535)
          .defaultDescribedAs("(`uplink.max-inflight`)")
          .description(
              "MQTT 5 receive maximum: how many unacknowledged messages the broker may send; at"
                  + " least `uplink.max-inflight`, more only for a broker that overruns it"
                  + " (Mosquitto 2.0.11, see Memory)");
  public static final ConfigOption<Duration> KEEP_ALIVE =
      ConfigOption.key("mqtt.keep-alive")
          .durationType()
          // MQTT counts it in whole seconds, and 0 switches it off: a value below 1 s would.
          .check(
              d ->
                  d.toMillis() >= 1_000 && d.toMillis() % 1_000 == 0 && d.toSeconds() <= 65_535
                      ? null
                      : "it must be whole seconds from 1s to 65535s")
          .defaultValue(Duration.ofSeconds(30))
          .description("MQTT keep-alive, whole seconds from `1s` to `65535s`");
  public static final ConfigOption<Duration> CONNECT_TIMEOUT =
      ConfigOption.key("mqtt.connect-timeout")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(30))
          .description("how long a connect attempt may take");
  public static final ConfigOption<Duration> RECONNECT_INITIAL_DELAY =
      ConfigOption.key("mqtt.reconnect.initial-delay")
          .durationType()
          .positive()
          .defaultValue(Duration.ofMillis(200))
          .description("first reconnect delay (then doubling)");
  public static final ConfigOption<Duration> RECONNECT_MAX_DELAY =
      ConfigOption.key("mqtt.reconnect.max-delay")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(30))
          .description("longest reconnect delay");
  public static final ConfigOption<String> USERNAME =
      ConfigOption.key("mqtt.username").stringType().description("simple authentication: user");
  public static final ConfigOption<String> PASSWORD =
      ConfigOption.key("mqtt.password")
          .stringType()
          .description("simple authentication: password (`FLEETPULSE_MQTT_PASSWORD`)");
  public static final ConfigOption<Boolean> TLS_ENABLED =
      ConfigOption.key("mqtt.tls.enabled")
          .booleanType()
          .defaultValue(false)
          .description("TLS to the broker");
  public static final ConfigOption<String> TLS_CA_FILE =
      ConfigOption.key("mqtt.tls.ca-file")
          .stringType()
          .defaultDescribedAs("(JVM trust store)")
          .description("PEM file of the CA(s) that signed the broker's certificate");
  public static final ConfigOption<String> TLS_KEYSTORE =
      ConfigOption.key("mqtt.tls.keystore")
          .stringType()
          .description("the bridge's client certificate and key");
  public static final ConfigOption<String> TLS_KEYSTORE_TYPE =
      ConfigOption.key("mqtt.tls.keystore-type")
          .stringType()
          .defaultValue("PKCS12")
          .description("type of `mqtt.tls.keystore`");
  public static final ConfigOption<String> TLS_KEYSTORE_PASSWORD =
      ConfigOption.key("mqtt.tls.keystore-password")
          .stringType()
          .description("password of `mqtt.tls.keystore`");
  public static final ConfigOption<Boolean> TLS_VERIFY_HOSTNAME =
      ConfigOption.key("mqtt.tls.verify-hostname")
          .booleanType()
          .defaultValue(true)
          .description("check the broker's name against its certificate");
  public static final ConfigOption<String> UPLINK_ROUTES =
      ConfigOption.key("uplink.routes")
          .stringType()
          .defaultValue(DEFAULT_UPLINK_ROUTES)
          .description(
              "MQTT topic pattern = Kafka topic; the `{deviceId}` level becomes the record key");
  public static final ConfigOption<String> EXTRA_SUBSCRIPTIONS =
      ConfigOption.key("uplink.extra-subscriptions")
          .stringType()
          .description(
              "more MQTT filters to subscribe to; what arrives there and matches no route is"
                  + " rejected as `unmapped_topic` (they must not overlap the routes, or the broker"
                  + " delivers twice)");
  public static final ConfigOption<Integer> MAX_PAYLOAD_BYTES =
      ConfigOption.key("uplink.max-payload-bytes")
          .intType()
          .between(1, MAX_PAYLOAD_LIMIT)
          .defaultValue(256 * 1024)
          .description(
              "larger payloads are rejected (at most "
                  + MAX_PAYLOAD_LIMIT
                  + "); so is a record that with its key and headers exceeds the producer's"
                  + " `max.request.size`, which must be "
                  + RECORD_OVERHEAD
                  + " bytes above this; publishes above this + 64 KiB are not read at all (MQTT"
                  + " maximum packet size)");
  public static final ConfigOption<Integer> MAX_INFLIGHT =
      ConfigOption.key("uplink.max-inflight")
          .intType()
          .between(1, 65_535)
          .defaultValue(10_000)
          .description(
              "device messages waiting for Kafka at once; beyond it the bridge takes no more from"
                  + " the client, and the broker holds the rest (at most 65535, MQTT's receive"
                  + " maximum)");
  public static final ConfigOption<Boolean> DOWNLINK_ENABLED =
      ConfigOption.key("downlink.enabled")
          .booleanType()
          .defaultValue(true)
          .description("deliver shadow deltas and commands to devices");
  public static final ConfigOption<String> DOWNLINK_ROUTES =
      ConfigOption.key("downlink.routes")
          .stringType()
          .defaultValue(DEFAULT_DOWNLINK_ROUTES)
          .description("Kafka topic = MQTT topic pattern; the record key is the device id");
  public static final ConfigOption<String> DOWNLINK_GROUP_ID =
      ConfigOption.key("downlink.group-id")
          .stringType()
          .nonBlank()
          .defaultValue("fleetpulse-mqtt-bridge")
          .description("Kafka consumer group of the downlink");
  public static final ConfigOption<Duration> DOWNLINK_PUBLISH_TIMEOUT =
      ConfigOption.key("downlink.publish-timeout")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(30))
          .description(
              "how long the downlink waits for the broker's acknowledgements before it logs that"
                  + " it still waits (it never publishes a record again while its publish is"
                  + " pending)");
  public static final ConfigOption<String> BROKER_DROPS_TOPIC =
      ConfigOption.key("mqtt.broker-drops-topic")
          .stringType()
          .defaultValue("$SYS/broker/publish/messages/dropped")
          .description(
              "the broker's counter of dropped messages (Mosquitto `$SYS`): the bridge warns when"
                  + " it is above 0 or grows; empty = not watched");
  public static final ConfigOption<String> HTTP_HOST =
      ConfigOption.key("http.host")
          .stringType()
          // /metrics and /health have no authentication: loopback unless the operator opens them.
          .defaultValue("127.0.0.1")
          .description(
              "address of `/health` and `/metrics` (no authentication); `0.0.0.0` for a"
                  + " Prometheus or health check on another host, behind a network policy");
  public static final ConfigOption<Integer> HTTP_PORT =
      ConfigOption.key("http.port")
          .intType()
          .between(-1, 65_535)
          .defaultValue(8080)
          .description("port of `/health` and `/metrics`; `0` any free port, `-1` no HTTP");
  public static final ConfigOption<Duration> DRAIN_TIMEOUT =
      ConfigOption.key("shutdown.drain-timeout")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(30))
          .description("how long a graceful shutdown waits for messages in flight");

  /** Every option of the bridge. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(KafkaOptions.BOOTSTRAP_SERVERS, REJECTED_TOPIC)
          .add(MQTT_HOST, MQTT_PORT, CLIENT_ID, SHARED_GROUP, SESSION_EXPIRY, RECEIVE_MAXIMUM)
          .add(KEEP_ALIVE, CONNECT_TIMEOUT, RECONNECT_INITIAL_DELAY, RECONNECT_MAX_DELAY)
          .add(USERNAME, PASSWORD, TLS_ENABLED, TLS_CA_FILE, TLS_KEYSTORE, TLS_KEYSTORE_TYPE)
          .add(TLS_KEYSTORE_PASSWORD, TLS_VERIFY_HOSTNAME)
          .add(UPLINK_ROUTES, EXTRA_SUBSCRIPTIONS, MAX_PAYLOAD_BYTES, MAX_INFLIGHT)
          .add(DOWNLINK_ENABLED, DOWNLINK_ROUTES, DOWNLINK_GROUP_ID, DOWNLINK_PUBLISH_TIMEOUT)
          .add(BROKER_DROPS_TOPIC, HTTP_HOST, HTTP_PORT, DRAIN_TIMEOUT)
          .prefix(KafkaOptions.PROPERTIES_PREFIX, KafkaOptions.PROPERTIES_DESCRIPTION)
          .prefix(KAFKA_PRODUCER, "passed to the uplink producer only (over `kafka.properties.*`)")
          .prefix(
              KAFKA_CONSUMER, "passed to the downlink consumer only (over `kafka.properties.*`)")
          .build();

  final String mqttHost;
  final int mqttPort;
  final String clientId;
  final String sharedGroup;
  final Duration sessionExpiry;
  final int receiveMaximum;
  final Duration keepAlive;
  final Duration reconnectInitialDelay;
  final Duration reconnectMaxDelay;
  final Duration connectTimeout;
  final String username;
  final String password;
  final boolean tls;
  final Path tlsCaFile;
  final Path tlsKeystore;
  final String tlsKeystoreType;
  final String tlsKeystorePassword;
  final boolean tlsVerifyHostname;
  final Map<TopicPattern, String> uplinkRoutes;
  final List<String> extraSubscriptions;
  final int maxPayloadBytes;
  final int maxInflight;
  final boolean downlinkEnabled;
  final Map<String, TopicPattern> downlinkRoutes;
  final String downlinkGroupId;
  final String kafkaBootstrapServers;
  final String rejectedTopic;
  final Map<String, String> producerProperties;
  final Map<String, String> consumerProperties;
  final String httpHost;
  final int httpPort;
  final Duration drainTimeout;
  final int maxPacketSize;
  final int maxRecordBytes;
  final Duration downlinkPublishTimeout;
  final String brokerDropsTopic;

  private MqttBridgeConfig(Settings s) {
    mqttHost = s.get(MQTT_HOST);
    mqttPort = s.get(MQTT_PORT);
    clientId = s.get(CLIENT_ID);
    sharedGroup = s.get(SHARED_GROUP).strip();
    sessionExpiry = s.get(SESSION_EXPIRY);
    keepAlive = s.get(KEEP_ALIVE);
    reconnectInitialDelay = s.get(RECONNECT_INITIAL_DELAY);
    reconnectMaxDelay = s.get(RECONNECT_MAX_DELAY);
    connectTimeout = s.get(CONNECT_TIMEOUT);
    username = s.get(USERNAME);
    password = s.get(PASSWORD);
    tls = s.get(TLS_ENABLED);
    tlsCaFile = file(s, TLS_CA_FILE);
    tlsKeystore = file(s, TLS_KEYSTORE);
    tlsKeystoreType = s.get(TLS_KEYSTORE_TYPE);
    tlsKeystorePassword = s.getOrElse(TLS_KEYSTORE_PASSWORD, "");
    tlsVerifyHostname = s.get(TLS_VERIFY_HOSTNAME);
    if (!tls && (tlsCaFile != null || tlsKeystore != null)) {
      throw new ConfigException(
          "TLS files are set but 'mqtt.tls.enabled' is false; set it to true to use them");
    }
    uplinkRoutes = uplinkRoutes(s.get(UPLINK_ROUTES));
    extraSubscriptions = list(s.getOrElse(EXTRA_SUBSCRIPTIONS, ""));
    maxPayloadBytes = s.get(MAX_PAYLOAD_BYTES);
    maxInflight = s.get(MAX_INFLIGHT);
    // The client holds at most receive-maximum unacknowledged messages, the bridge at most
    // max-inflight of them: the same number by default, so that one bound is the memory bound.
    receiveMaximum = s.getOrElse(RECEIVE_MAXIMUM, maxInflight);
    if (receiveMaximum < maxInflight) {
      throw new ConfigException(
          "setting 'uplink.max-inflight' ("
              + maxInflight
              + ") is above 'mqtt.receive-maximum' ("
              + receiveMaximum
              + "): the broker never sends more unacknowledged messages than the receive maximum;"
              + " lower 'uplink.max-inflight' or leave 'mqtt.receive-maximum' unset");
    }
    maxPacketSize = maxPayloadBytes + MQTT_PACKET_OVERHEAD;
    downlinkEnabled = s.get(DOWNLINK_ENABLED);
    downlinkRoutes = downlinkRoutes(s.get(DOWNLINK_ROUTES));
    downlinkGroupId = s.get(DOWNLINK_GROUP_ID);
    kafkaBootstrapServers = s.get(KafkaOptions.BOOTSTRAP_SERVERS);
    rejectedTopic = s.get(REJECTED_TOPIC);
    Map<String, String> common = s.withPrefix(KafkaOptions.PROPERTIES_PREFIX);
    producerProperties = merged(common, s.withPrefix(KAFKA_PRODUCER));
    consumerProperties = merged(common, s.withPrefix(KAFKA_CONSUMER));
    httpHost = s.get(HTTP_HOST);
    httpPort = s.get(HTTP_PORT);
    drainTimeout = s.get(DRAIN_TIMEOUT);
    downlinkPublishTimeout = s.get(DOWNLINK_PUBLISH_TIMEOUT);
    brokerDropsTopic = s.get(BROKER_DROPS_TOPIC).strip();
    maxRecordBytes = maxRequestSize(producerProperties);
    if (maxPayloadBytes + RECORD_OVERHEAD > maxRecordBytes) {
      throw new ConfigException(
          "setting 'uplink.max-payload-bytes' ("
              + maxPayloadBytes
              + ") leaves no room for the record's key and headers within"
              + " 'kafka.producer.max.request.size' ("
              + maxRecordBytes
              + "); keep it at least "
              + RECORD_OVERHEAD
              + " bytes below");
    }
  }

  private static int maxRequestSize(Map<String, String> producerProperties) {
    String text = producerProperties.get("max.request.size");
    if (text == null) {
      return KAFKA_DEFAULT_MAX_REQUEST_SIZE;
    }
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "setting 'kafka.producer.max.request.size' is '" + text + "'; expected a byte count", e);
    }
  }

  /**
   * Reads and validates the options.
   *
   * @throws ConfigException naming the first bad setting
   */
  public static MqttBridgeConfig from(Settings settings) {
    return new MqttBridgeConfig(settings);
  }

  /** Reads the options from command-line arguments, the {@code --config} file and the env. */
  public static MqttBridgeConfig load(String[] args, Map<String, String> env) {
    return from(Settings.load(args, env, OPTIONS));
  }

  /** The MQTT client id; each bridge instance needs its own, stable across restarts. */
  public String clientId() {
    return clientId;
  }

  /** The HTTP port for /health and /metrics: {@code 0} any free port, {@code -1} none. */
  public int httpPort() {
    return httpPort;
  }

  /** The Kafka topics the bridge writes and (with the downlink on) reads. */
  public List<String> topics() {
    List<String> topics = new ArrayList<>(uplinkRoutes.values());
    topics.add(rejectedTopic);
    if (downlinkEnabled) {
      topics.addAll(downlinkRoutes.keySet());
    }
    return topics;
  }

  /** The MQTT filters the bridge subscribes to (shared, when a group is set). */
  public List<String> subscriptions() {
    List<String> filters = new ArrayList<>();
    uplinkRoutes.keySet().forEach(p -> filters.add(p.filter()));
    filters.addAll(extraSubscriptions);
    List<String> result = new ArrayList<>();
    for (String filter : filters) {
      result.add(sharedGroup.isEmpty() ? filter : "$share/" + sharedGroup + "/" + filter);
    }
    return Collections.unmodifiableList(result);
  }

  private static Map<TopicPattern, String> uplinkRoutes(String text) {
    Map<TopicPattern, String> routes = new LinkedHashMap<>();
    for (String[] pair : pairs("uplink.routes", text)) {
      routes.put(pattern("uplink.routes", pair[0]), pair[1]);
    }
    return Collections.unmodifiableMap(routes);
  }

  private static Map<String, TopicPattern> downlinkRoutes(String text) {
    Map<String, TopicPattern> routes = new LinkedHashMap<>();
    for (String[] pair : pairs("downlink.routes", text)) {
      routes.put(pair[0], pattern("downlink.routes", pair[1]));
    }
    return Collections.unmodifiableMap(routes);
  }

  private static List<String[]> pairs(String key, String text) {
    List<String[]> pairs = new ArrayList<>();
    for (String item : list(text)) {
      int eq = item.lastIndexOf('=');
      if (eq <= 0 || eq == item.length() - 1) {
        throw new ConfigException(
            "setting '" + key + "' has entry '" + item + "'; expected FROM=TO, comma-separated");
      }
      pairs.add(new String[] {item.substring(0, eq).strip(), item.substring(eq + 1).strip()});
    }
    if (pairs.isEmpty()) {
      throw new ConfigException("setting '" + key + "' has no routes");
    }
    return pairs;
  }

  private static TopicPattern pattern(String key, String text) {
    try {
      return TopicPattern.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("setting '" + key + "': " + e.getMessage(), e);
    }
  }

  private static List<String> list(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return items;
  }

  private static Map<String, String> merged(Map<String, String> base, Map<String, String> top) {
    Map<String, String> merged = new HashMap<>(base);
    merged.putAll(top);
    return Collections.unmodifiableMap(merged);
  }

  private static Path file(Settings s, ConfigOption<String> option) {
    String key = option.key();
    String value = s.get(option);
    if (value == null || value.isBlank()) {
      return null;
    }
    Path path = Path.of(value);
    if (!Files.isReadable(path)) {
      throw new ConfigException("setting '" + key + "' names " + path + ", which is not readable");
    }
    return path;
  }
}
