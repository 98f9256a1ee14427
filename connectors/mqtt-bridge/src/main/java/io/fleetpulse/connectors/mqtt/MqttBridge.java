package io.fleetpulse.connectors.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import io.fleetpulse.common.DaemonThreads;
import io.fleetpulse.connectors.kafka.topics.TopicCheck;
import io.fleetpulse.connectors.mqtt.internal.BridgeMetrics;
import io.fleetpulse.connectors.mqtt.internal.BrokerDrops;
import io.fleetpulse.connectors.mqtt.internal.Downlink;
import io.fleetpulse.connectors.mqtt.internal.HttpEndpoints;
import io.fleetpulse.connectors.mqtt.internal.KafkaSender;
import io.fleetpulse.connectors.mqtt.internal.TlsFactories;
import io.fleetpulse.connectors.mqtt.internal.Uplink;
import io.fleetpulse.connectors.mqtt.internal.UplinkRecords;
import io.fleetpulse.connectors.mqtt.internal.UplinkRouter;
import io.reactivex.schedulers.Schedulers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT to Kafka bridge: device messages to Kafka (acknowledged to the broker only after Kafka
 * acknowledged them), shadow deltas and commands from Kafka to devices, health and metrics over
 * HTTP.
 *
 * <pre>{@code
 * try (MqttBridge bridge = MqttBridge.builder().config(config).build().start()) { ... }
 * }</pre>
 */
public final class MqttBridge implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MqttBridge.class);
  // Kafka counts as down for /health once writes have failed, or records have waited with no
  // acknowledgement at all, this long; normal acknowledgements take milliseconds.
  private static final Duration KAFKA_GRACE = Duration.ofSeconds(3);

  private final MqttBridgeConfig config;
  private final BridgeMetrics metrics = new BridgeMetrics();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicBoolean connectedBefore = new AtomicBoolean();
  private final AtomicInteger disconnects = new AtomicInteger();
  private volatile boolean connected;
  private volatile boolean closing;
  private KafkaSender sender;
  private Uplink uplink;
  private ExecutorService mqttExecutor;
  private BrokerDrops brokerDrops;
  private Mqtt5AsyncClient client;
  private Downlink downlink;
  private Thread downlinkThread;
  private HttpEndpoints http;

  private MqttBridge(MqttBridgeConfig config) {
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects to Kafka and the broker, subscribes, and starts the downlink and the HTTP endpoints.
   * When the broker cannot be reached within {@code mqtt.connect-timeout}, the bridge keeps trying
   * in the background and reports itself unhealthy meanwhile.
   */
  public MqttBridge start() {
    try {
      startParts();
    } catch (RuntimeException e) {
      // Whatever started is stopped again: a failed start leaves no threads or sockets behind.
      close();
      throw e;
    }
    return this;
  }

  private void startParts() {
    TopicCheck.requireTopics(
        config.kafkaBootstrapServers, config.producerProperties, config.topics(), "MQTT bridge");
    sender = new KafkaSender(new KafkaProducer<>(producerProperties()), metrics);
    brokerDrops =
        new BrokerDrops(
            config.brokerDropsTopic.isEmpty() ? null : config.brokerDropsTopic, metrics);
    uplink =
        new Uplink(
            new UplinkRouter(config.uplinkRoutes, config.maxPayloadBytes),
            new UplinkRecords(config.rejectedTopic, config.maxPayloadBytes, config.maxRecordBytes),
            sender,
            metrics,
            config.maxInflight,
            brokerDrops);
    logMemoryBound();
    // The client gets its own event loop thread, and device messages are handled right on it (the
    // reactive flow, subscribed without a scheduler): one thread keeps each device's messages in
    // order. The uplink never blocks it; its demand (uplink.max-inflight) is the backpressure.
    mqttExecutor = Executors.newSingleThreadExecutor(DaemonThreads.factory("bridge-mqtt"));
    client = buildClient();
    client.toRx().publishes(MqttGlobalPublishFilter.ALL, true).subscribe(uplink);
    if (config.httpPort >= 0) {
      http =
          new HttpEndpoints(
              config.httpHost, config.httpPort, this::healthy, this::healthJson, metrics::scrape);
    }
    connect();
    if (config.downlinkEnabled) {
      downlink =
          new Downlink(
              new KafkaConsumer<>(consumerProperties()),
              client,
              config.downlinkRoutes,
              sender,
              config.rejectedTopic,
              metrics,
              config.downlinkPublishTimeout);
      downlinkThread = DaemonThreads.factory("bridge-downlink").newThread(downlink);
      downlinkThread.start();
    }
    LOG.info(
        "MQTT bridge {} started: {}:{} {} -> Kafka {}",
        config.clientId,
        config.mqttHost,
        config.mqttPort,
        config.subscriptions(),
        config.kafkaBootstrapServers);
  }

  /**
   * Whether every part works: connected and subscribed to the broker, Kafka taking records, the
   * downlink consumer running, and not shutting down.
   */
  public boolean healthy() {
    return down().isEmpty();
  }

  /**
   * The parts that do not work now: {@code mqtt}, {@code kafka}, {@code downlink}, {@code closing}.
   */
  public List<String> down() {
    List<String> down = new ArrayList<>();
    if (!connected || !subscribed.get()) {
      down.add("mqtt");
    }
    if (sender != null && sender.problem(KAFKA_GRACE) != null) {
      down.add("kafka");
    }
    if (downlinkProblem() != null) {
      down.add("downlink");
    }
    if (closing) {
      down.add("closing");
    }
    return down;
  }

  private String downlinkProblem() {
    if (downlink == null || closing) {
      return null;
    }
    if (downlink.failure() != null) {
      return "stopped: " + downlink.failure();
    }
    return downlinkThread.isAlive() ? null : "stopped";
  }

  /** The broker's last reported count of dropped messages, or -1 before its first report. */
  public long brokerDroppedMessages() {
    return brokerDrops == null ? -1 : brokerDrops.dropped();
  }

  /** How often the MQTT connection was lost since the start. */
  int mqttDisconnects() {
    return disconnects.get();
  }

  /** The port of /health and /metrics, or -1 when HTTP is off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** The metrics in the Prometheus text format, as /metrics serves them. */
  public String metricsText() {
    return metrics.scrape();
  }

  /** Device messages received and not yet acknowledged to the broker. */
  public int inflight() {
    return uplink == null ? 0 : uplink.inflight();
  }

  /** The most device messages that were in flight at once since the start. */
  public int maxInflight() {
    return uplink == null ? 0 : uplink.maxInflight();
  }

  /**
   * Shuts down gracefully: takes no new messages, waits up to {@code shutdown.drain-timeout} for
   * those in flight to reach Kafka and be acknowledged, and leaves the broker session in place so
   * that messages sent meanwhile are delivered to the next start.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (uplink != null && !uplink.drain(config.drainTimeout)) {
      LOG.warn(
          "{} messages still in flight after {}; the broker will deliver them again",
          uplink.inflight(),
          config.drainTimeout);
    }
    if (downlink != null) {
      downlink.stop();
      join(downlinkThread);
    }
    if (uplink != null) {
      uplink.cancel();
    }
    if (client != null) {
      try {
        client.disconnect().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("MQTT disconnect: {}", e.toString());
      }
    }
    if (sender != null) {
      sender.close(Duration.ofSeconds(10));
    }
    if (mqttExecutor != null) {
      mqttExecutor.shutdownNow();
    }
    if (http != null) {
      http.close();
    }
    LOG.info(
        "MQTT bridge {} stopped (at most {} messages were in flight at once)",
        config.clientId,
        maxInflight());
  }

  private Mqtt5AsyncClient buildClient() {
    Mqtt5ClientBuilder builder =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier(config.clientId)
            .serverHost(config.mqttHost)
            .serverPort(config.mqttPort)
            .executorConfig()
            .nettyExecutor(mqttExecutor)
            .nettyThreads(1)
            .applicationScheduler(Schedulers.trampoline())
            .applyExecutorConfig()
            .automaticReconnect()
            .initialDelay(config.reconnectInitialDelay.toMillis(), TimeUnit.MILLISECONDS)
            .maxDelay(config.reconnectMaxDelay.toMillis(), TimeUnit.MILLISECONDS)
            .applyAutomaticReconnect()
            .addConnectedListener(context -> onConnected())
            .addDisconnectedListener(
                context -> {
                  if (connected) {
                    disconnects.incrementAndGet();
                  }
                  connected = false;
                  metrics.mqttConnected(false);
                  if (!closing) {
                    LOG.warn("MQTT connection lost: {}", String.valueOf(context.getCause()));
                  }
                });
    if (config.tls) {
      var ssl = builder.sslConfig();
      if (config.tlsCaFile != null) {
        ssl = ssl.trustManagerFactory(TlsFactories.trustManager(config.tlsCaFile));
      }
      if (config.tlsKeystore != null) {
        ssl =
            ssl.keyManagerFactory(
                TlsFactories.keyManager(
                    config.tlsKeystore,
                    config.tlsKeystoreType,
                    config.tlsKeystorePassword.toCharArray()));
      }
      if (!config.tlsVerifyHostname) {
        ssl = ssl.hostnameVerifier((host, session) -> true);
      }
      builder = ssl.applySslConfig();
    }
    return builder.buildAsync();
  }

  private void connect() {
    var connect =
        client
            .connectWith()
            // A persistent session: what the broker queued while the bridge was away is delivered.
            .cleanStart(false)
            .sessionExpiryInterval(config.sessionExpiry.toSeconds())
            .keepAlive((int) config.keepAlive.toSeconds())
            .restrictions()
            .receiveMaximum(config.receiveMaximum)
            // The broker must not send larger packets: a huge publish is not read into memory (the
            // broker drops it for the bridge; its own max_packet_size should refuse it earlier).
            .maximumPacketSize(config.maxPacketSize)
            .applyRestrictions();
    if (config.username != null) {
      Mqtt5SimpleAuth auth =
          config.password == null
              ? Mqtt5SimpleAuth.builder().username(config.username).build()
              : Mqtt5SimpleAuth.builder()
                  .username(config.username)
                  .password(config.password.getBytes(StandardCharsets.UTF_8))
                  .build();
      connect = connect.simpleAuth(auth);
    }
    try {
      connect.send().get(config.connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to the broker", e);
    } catch (Exception e) {
      LOG.warn(
          "cannot connect to the broker at {}:{} yet ({}); retrying in the background",
          config.mqttHost,
          config.mqttPort,
          e.getCause() == null ? e.toString() : e.getCause().toString());
    }
  }

  private void onConnected() {
    connected = true;
    metrics.mqttConnected(true);
    if (connectedBefore.getAndSet(true)) {
      metrics.reconnected();
      LOG.info("MQTT connection back");
    }
    if (!subscribed.get()) {
      subscribe();
    }
  }

  private void subscribe() {
    List<Mqtt5Subscription> subscriptions = new ArrayList<>();
    for (String filter : config.subscriptions()) {
      subscriptions.add(
          Mqtt5Subscription.builder().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).build());
    }
    client
        .subscribeWith()
        .addSubscriptions(subscriptions)
        .send()
        .whenComplete(
            (subAck, error) -> {
              if (error != null) {
                LOG.error("subscribing to {} failed", config.subscriptions(), error);
                return;
              }
              boolean allGranted =
                  subAck.getReasonCodes().stream().noneMatch(code -> code.isError());
              if (allGranted) {
                subscribed.set(true);
                watchBrokerDrops();
              } else {
                LOG.error(
                    "the broker refused subscriptions {}: {}",
                    config.subscriptions(),
                    subAck.getReasonCodes());
              }
            });
  }

  // Not shared: every instance wants the broker's whole counter. QoS 0: it is sent again anyway.
  private void watchBrokerDrops() {
    if (brokerDrops.topic() == null) {
      return;
    }
    client
        .subscribeWith()
        .topicFilter(brokerDrops.topic())
        .qos(MqttQos.AT_MOST_ONCE)
        .send()
        .whenComplete(
            (subAck, error) -> {
              if (error != null || subAck.getReasonCodes().stream().anyMatch(c -> c.isError())) {
                LOG.info(
                    "not watching the broker's dropped messages: cannot subscribe to {} ({})",
                    brokerDrops.topic(),
                    error != null ? error.toString() : subAck.getReasonCodes());
              }
            });
  }

  private void logMemoryBound() {
    long bound = (long) config.receiveMaximum * config.maxPacketSize;
    long heap = Runtime.getRuntime().maxMemory();
    String text =
        "the MQTT client holds at most "
            + config.receiveMaximum
            + " unacknowledged messages (mqtt.receive-maximum) of at most "
            + config.maxPacketSize
            + " bytes (uplink.max-payload-bytes + "
            + MqttBridgeConfig.MQTT_PACKET_OVERHEAD
            + "): "
            + bound / (1024 * 1024)
            + " MB at worst, heap maximum "
            + heap / (1024 * 1024)
            + " MB";
    if (bound > heap / 2) {
      LOG.warn("{}; lower uplink.max-inflight or uplink.max-payload-bytes", text);
    } else {
      LOG.info(text);
    }
  }

  private String healthJson() {
    String kafka = sender == null ? null : sender.problem(KAFKA_GRACE);
    String downlinkProblem = downlinkProblem();
    StringBuilder down = new StringBuilder();
    for (String part : down()) {
      down.append(down.length() == 0 ? "" : ",").append('"').append(part).append('"');
    }
    return "{\"status\":\""
        + (healthy() ? "UP" : "DOWN")
        + "\",\"down\":["
        + down
        + "],\"mqtt\":\""
        + (connected ? "connected" : "disconnected")
        + "\",\"subscribed\":"
        + subscribed.get()
        + ",\"kafka\":"
        + json(kafka == null ? "up" : kafka)
        + ",\"downlink\":"
        + json(downlink == null ? "off" : downlinkProblem == null ? "running" : downlinkProblem)
        + ",\"inflight\":"
        + inflight()
        + ",\"closing\":"
        + closing
        + "}";
  }

  private static String json(String text) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private Properties producerProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId + "-uplink");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Batches of ~10 ms: fewer, larger produce requests; acks wait that long at most.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putAll(config.producerProperties);
    return p;
  }

  private Properties consumerProperties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.clientId + "-downlink");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.downlinkGroupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.putAll(config.consumerProperties);
    return p;
  }

  private static void join(Thread thread) {
    try {
      thread.join(TimeUnit.SECONDS.toMillis(40));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link MqttBridge}. */
  public static final class Builder {
    private MqttBridgeConfig config;

    private Builder() {}

    public Builder config(MqttBridgeConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    public MqttBridge build() {
      return new MqttBridge(Objects.requireNonNull(config, "config is required"));
    }
  }
}
