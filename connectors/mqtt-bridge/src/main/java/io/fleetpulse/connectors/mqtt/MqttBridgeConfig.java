package io.fleetpulse.connectors.mqtt;

import io.fleetpulse.config.ConfigException;
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
import java.util.Set;

/**
 * The options of the MQTT bridge, read once from {@link Settings} and validated there; see the
 * module README for every key.
 */
public final class MqttBridgeConfig {

  /** Prefix of Kafka client properties given to both the producer and the consumer. */
  public static final String KAFKA_PROPERTIES = "kafka.properties.";

  /** Prefix of Kafka properties for the uplink producer only. */
  public static final String KAFKA_PRODUCER = "kafka.producer.";

  /** Prefix of Kafka properties for the downlink consumer only. */
  public static final String KAFKA_CONSUMER = "kafka.consumer.";

  /** The settings the bridge reads, besides the Kafka pass-through prefixes. */
  public static final Set<String> KEYS =
      Set.of(
          "mqtt.host",
          "mqtt.port",
          "mqtt.client-id",
          "mqtt.shared-group",
          "mqtt.session-expiry",
          "mqtt.receive-maximum",
          "mqtt.keep-alive",
          "mqtt.reconnect.initial-delay",
          "mqtt.reconnect.max-delay",
          "mqtt.connect-timeout",
          "mqtt.username",
          "mqtt.password",
          "mqtt.tls.enabled",
          "mqtt.tls.ca-file",
          "mqtt.tls.keystore",
          "mqtt.tls.keystore-type",
          "mqtt.tls.keystore-password",
          "mqtt.tls.verify-hostname",
          "uplink.routes",
          "uplink.extra-subscriptions",
          "uplink.max-payload-bytes",
          "uplink.max-inflight",
          "downlink.enabled",
          "downlink.routes",
          "downlink.group-id",
          "kafka.bootstrap-servers",
          "kafka.rejected-topic",
          "http.host",
          "http.port",
          "shutdown.drain-timeout");

  /** Prefixes of keys handed to the Kafka clients unchecked. */
  public static final Set<String> PREFIXES =
      Set.of(KAFKA_PROPERTIES, KAFKA_PRODUCER, KAFKA_CONSUMER);

  static final String DEFAULT_UPLINK_ROUTES =
      "devices/{deviceId}/telemetry=iot.telemetry.raw,"
          + "devices/{deviceId}/events=iot.events.raw,"
          + "devices/{deviceId}/shadow/update=iot.shadow.reported";

  static final String DEFAULT_DOWNLINK_ROUTES =
      "iot.shadow.delta=devices/{deviceId}/shadow/delta,iot.commands=devices/{deviceId}/commands";

  /** The largest payload the bridge accepts: Kafka's default message size leaves room for this. */
  static final int MAX_PAYLOAD_LIMIT = 900 * 1024;

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

  private MqttBridgeConfig(Settings s) {
    mqttHost = s.string("mqtt.host", "127.0.0.1");
    mqttPort = port(s, "mqtt.port", 1883, false);
    clientId = s.string("mqtt.client-id", "fleetpulse-mqtt-bridge");
    if (clientId.isBlank()) {
      throw new ConfigException("setting 'mqtt.client-id' is empty; each bridge needs its own id");
    }
    sharedGroup = s.string("mqtt.shared-group", "fleetpulse-bridge").strip();
    sessionExpiry = s.positiveDuration("mqtt.session-expiry", Duration.ofHours(1));
    // The protocol's maximum: Mosquitto 2.0.11 overruns smaller windows, and the client then drops
    // the connection; uplink.max-inflight bounds the bridge's buffer instead.
    receiveMaximum = s.positiveInt("mqtt.receive-maximum", 65_535);
    if (receiveMaximum > 65_535) {
      throw new ConfigException(
          "setting 'mqtt.receive-maximum' is " + receiveMaximum + "; MQTT allows at most 65535");
    }
    keepAlive = s.positiveDuration("mqtt.keep-alive", Duration.ofSeconds(30));
    reconnectInitialDelay =
        s.positiveDuration("mqtt.reconnect.initial-delay", Duration.ofMillis(200));
    reconnectMaxDelay = s.positiveDuration("mqtt.reconnect.max-delay", Duration.ofSeconds(30));
    connectTimeout = s.positiveDuration("mqtt.connect-timeout", Duration.ofSeconds(30));
    username = s.string("mqtt.username", null);
    password = s.string("mqtt.password", null);
    tls = s.bool("mqtt.tls.enabled", false);
    tlsCaFile = file(s, "mqtt.tls.ca-file");
    tlsKeystore = file(s, "mqtt.tls.keystore");
    tlsKeystoreType = s.string("mqtt.tls.keystore-type", "PKCS12");
    tlsKeystorePassword = s.string("mqtt.tls.keystore-password", "");
    tlsVerifyHostname = s.bool("mqtt.tls.verify-hostname", true);
    if (!tls && (tlsCaFile != null || tlsKeystore != null)) {
      throw new ConfigException(
          "TLS files are set but 'mqtt.tls.enabled' is false; set it to true to use them");
    }
    uplinkRoutes = uplinkRoutes(s.string("uplink.routes", DEFAULT_UPLINK_ROUTES));
    extraSubscriptions = list(s.string("uplink.extra-subscriptions", ""));
    maxPayloadBytes = s.positiveInt("uplink.max-payload-bytes", 256 * 1024);
    if (maxPayloadBytes > MAX_PAYLOAD_LIMIT) {
      throw new ConfigException(
          "setting 'uplink.max-payload-bytes' is "
              + maxPayloadBytes
              + "; the limit is "
              + MAX_PAYLOAD_LIMIT
              + " so that records fit Kafka's default message size");
    }
    maxInflight = s.positiveInt("uplink.max-inflight", 10_000);
    downlinkEnabled = s.bool("downlink.enabled", true);
    downlinkRoutes = downlinkRoutes(s.string("downlink.routes", DEFAULT_DOWNLINK_ROUTES));
    downlinkGroupId = s.string("downlink.group-id", "fleetpulse-mqtt-bridge");
    kafkaBootstrapServers = s.requiredString("kafka.bootstrap-servers");
    rejectedTopic = s.string("kafka.rejected-topic", "iot.bridge.rejected");
    Map<String, String> common = s.withPrefix(KAFKA_PROPERTIES);
    producerProperties = merged(common, s.withPrefix(KAFKA_PRODUCER));
    consumerProperties = merged(common, s.withPrefix(KAFKA_CONSUMER));
    httpHost = s.string("http.host", "0.0.0.0");
    httpPort = s.intValue("http.port", 8080);
    if (httpPort < -1 || httpPort > 65_535) {
      throw new ConfigException(
          "setting 'http.port' is " + httpPort + "; use 0 for any free port or -1 for no HTTP");
    }
    drainTimeout = s.positiveDuration("shutdown.drain-timeout", Duration.ofSeconds(30));
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
    return from(Settings.load(args, env, KEYS, PREFIXES));
  }

  /** The MQTT client id; each bridge instance needs its own, stable across restarts. */
  public String clientId() {
    return clientId;
  }

  /** The HTTP port for /health and /metrics: {@code 0} any free port, {@code -1} none. */
  public int httpPort() {
    return httpPort;
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

  private static int port(Settings s, String key, int defaultValue, boolean zeroAllowed) {
    int port = s.intValue(key, defaultValue);
    if (port < (zeroAllowed ? 0 : 1) || port > 65_535) {
      throw new ConfigException("setting '" + key + "' is " + port + "; not a TCP port");
    }
    return port;
  }

  private static Path file(Settings s, String key) {
    String value = s.string(key, null);
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
