package io.fleetpulse.devstack.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.fleetpulse.devstack.mqtt.MqttTls;
import io.fleetpulse.devstack.sim.DeviceSimulator.Incident;
import io.fleetpulse.model.ModelJson;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One virtual device: its own MQTT 5 connection, telemetry with the flaws of real devices (clock
 * skew, repeats, reordering, reboots), its shadow's reported state, command acknowledgements, and
 * (optionally) the upload of what it measured while offline.
 */
final class SimulatedDevice {

  private static final ObjectMapper JSON = ModelJson.mapper();

  final String id;
  private final SimulatorConfig config;
  private final SimulatorStats stats;
  private final ScheduledExecutorService scheduler;
  private final Random random;
  private final Signals signals;
  private final long clockSkew;
  private final Mqtt5AsyncClient client;
  private final ObjectNode reported = JSON.createObjectNode();
  private final Deque<ObjectNode> backlog = new ArrayDeque<>();
  private long interval;
  private long seq;
  private long tokens;
  private byte[] heldBack;
  private boolean online;
  private boolean stopped;
  private ScheduledFuture<?> ticking;

  SimulatedDevice(
      int index,
      SimulatorConfig config,
      SimulatorStats stats,
      ScheduledExecutorService scheduler,
      Random random) {
    this.id = config.deviceId(index);
    this.config = config;
    this.stats = stats;
    this.scheduler = scheduler;
    this.random = random;
    this.signals = new Signals(random);
    long skew = config.behaviour.maxClockSkewMillis();
    this.clockSkew = skew == 0 ? 0 : (long) ((random.nextDouble() * 2 - 1) * skew);
    this.interval = config.intervalMillis();
    reported.put("firmware", DeviceSimulator.firmwareOf(index));
    reported.put("reportIntervalMs", interval);
    reported.put("led", "off");
    reported.put("mode", "normal");
    reported.put("bootCount", 1);
    this.client = builder().buildAsync();
  }

  private Mqtt5ClientBuilder builder() {
    Mqtt5ClientBuilder b =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier(id)
            .serverHost(config.host)
            .serverPort(config.port);
    if (config.tls) {
      var ssl = b.sslConfig();
      if (config.caFile != null) {
        ssl = ssl.trustManagerFactory(MqttTls.trustManager(config.caFile));
      }
      if (config.keystorePattern != null) {
        Path p12 = Path.of(config.keystorePattern.replace("{deviceId}", id));
        ssl = ssl.keyManagerFactory(MqttTls.keyManager(p12, config.keystorePassword));
      }
      b = ssl.applySslConfig();
    }
    return b;
  }

  /** Connects, subscribes to its downlink, reports its shadow, then starts reporting. */
  CompletableFuture<Void> start() {
    client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, this::onMessage);
    return connect()
        .thenRun(
            () -> {
              long first = (long) (random.nextDouble() * interval);
              synchronized (this) {
                schedule(first);
              }
            });
  }

  private CompletableFuture<Void> connect() {
    return client
        .connectWith()
        .cleanStart(false)
        .sessionExpiryInterval(3600)
        .send()
        .thenCompose(
            ack ->
                client
                    .subscribeWith()
                    .addSubscription()
                    .topicFilter("devices/" + id + "/shadow/delta")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("devices/" + id + "/shadow/update/+")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("devices/" + id + "/commands")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .send())
        .thenRun(
            () -> {
              synchronized (this) {
                online = true;
                stats.online.incrementAndGet();
                reportShadow(reported);
                uploadBacklog();
              }
            });
  }

  private void schedule(long delay) {
    if (ticking != null) {
      ticking.cancel(false);
    }
    ticking = scheduler.scheduleAtFixedRate(this::tick, delay, interval, TimeUnit.MILLISECONDS);
  }

  /** Injects {@code kind} after {@code delayMs}. */
  void scheduleAnomaly(Signals.Anomaly kind, long delayMs, int readings) {
    scheduler.schedule(
        () -> {
          synchronized (this) {
            signals.inject(kind, readings);
            stats.incident(
                new Incident(id, kind.name(), System.currentTimeMillis(), readings * interval));
          }
        },
        delayMs,
        TimeUnit.MILLISECONDS);
  }

  /** Goes silent (disconnects) after {@code delayMs} for {@code silenceMs}; then again, later. */
  void scheduleSilence(long delayMs, long silenceMs) {
    scheduler.schedule(() -> goSilent(silenceMs), delayMs, TimeUnit.MILLISECONDS);
  }

  private void goSilent(long silenceMs) {
    synchronized (this) {
      if (stopped || !online) {
        return;
      }
      online = false;
      stats.online.decrementAndGet();
      stats.incident(new Incident(id, "OFFLINE", System.currentTimeMillis(), silenceMs));
    }
    client.disconnect();
    scheduler.schedule(
        () -> {
          synchronized (this) {
            if (stopped) {
              return;
            }
          }
          connect();
          var b = config.behaviour;
          scheduleSilence(
              between(b.silenceStartMin().toMillis(), b.silenceStartMax().toMillis()) * 3,
              between(b.silenceMin().toMillis(), b.silenceMax().toMillis()));
        },
        silenceMs,
        TimeUnit.MILLISECONDS);
  }

  long between(long min, long max) {
    return max <= min ? min : min + (long) (random.nextDouble() * (max - min));
  }

  private synchronized void tick() {
    if (stopped) {
      return;
    }
    if (!online) {
      if (config.historyUpload) {
        keep(reading(System.currentTimeMillis() + clockSkew));
      }
      return;
    }
    try {
      if (signals.batteryReplaced() || random.nextDouble() < config.behaviour.rebootProbability()) {
        reboot("battery_or_watchdog");
      }
      ObjectNode doc = JSON.createObjectNode();
      doc.put("deviceId", id);
      doc.setAll(reading(System.currentTimeMillis() + clockSkew));
      byte[] payload = JSON.writeValueAsBytes(doc);
      var b = config.behaviour;
      if (heldBack == null && random.nextDouble() < b.outOfOrderProbability()) {
        heldBack = payload; // sent after the next one, as a device with two send queues does
        stats.outOfOrder.incrementAndGet();
        return;
      }
      telemetry(payload);
      if (heldBack != null) {
        telemetry(heldBack);
        heldBack = null;
      }
      if (random.nextDouble() < b.duplicateProbability()) {
        telemetry(payload); // a resend after a lost PUBACK
        stats.duplicates.incrementAndGet();
      }
    } catch (Exception e) {
      stats.errors.incrementAndGet();
    }
  }

  /** One measurement: {@code ts}, the next {@code seq}, the signals' values. */
  private ObjectNode reading(long ts) {
    ObjectNode r = JSON.createObjectNode();
    r.put("ts", ts);
    r.put("seq", seq++);
    ObjectNode metrics = r.putObject("metrics");
    for (Map.Entry<String, Double> m : signals.next(ts).entrySet()) {
      metrics.put(m.getKey(), m.getValue());
    }
    return r;
  }

  private void keep(ObjectNode reading) {
    if (backlog.size() >= config.historyMaxBacklog) {
      backlog.removeFirst();
      stats.historyDropped.incrementAndGet();
    }
    backlog.addLast(reading);
  }

  /**
   * Sends what was measured while offline as batches, oldest first, before any live reading (the
   * caller holds the lock the ticks take): the device's time then only moves forward.
   */
  private void uploadBacklog() {
    while (!backlog.isEmpty()) {
      ObjectNode batch = JSON.createObjectNode();
      batch.put("deviceId", id);
      var records = batch.putArray("records");
      while (!backlog.isEmpty() && records.size() < config.historyBatchSize) {
        records.add(backlog.removeFirst());
      }
      telemetry(bytes(batch));
      stats.historyBatches.incrementAndGet();
      stats.historyReadings.addAndGet(records.size());
    }
  }

  private void telemetry(byte[] payload) {
    publish("devices/" + id + "/telemetry", payload);
    stats.telemetry.incrementAndGet();
  }

  private void reboot(String reason) {
    seq = 0;
    heldBack = null;
    reported.put("bootCount", reported.path("bootCount").asInt() + 1);
    stats.reboots.incrementAndGet();
    ObjectNode event = event("boot");
    event.put("reason", reason);
    publish("devices/" + id + "/events", bytes(event));
    reportShadow(reported);
  }

  private void reportShadow(JsonNode state) {
    ObjectNode request = JSON.createObjectNode();
    request.putObject("state").set("reported", state.deepCopy());
    request.put("clientToken", id + "-" + (++tokens));
    publish("devices/" + id + "/shadow/update", bytes(request));
    stats.shadowReports.incrementAndGet();
  }

  private void onMessage(Mqtt5Publish message) {
    String topic = message.getTopic().toString();
    try {
      JsonNode body = JSON.readTree(message.getPayloadAsBytes());
      synchronized (this) {
        if (topic.endsWith("/shadow/delta")) {
          applyDelta(body.path("state"));
        } else if (topic.endsWith("/commands")) {
          command(body);
        } else if (topic.endsWith("/update/rejected")) {
          stats.shadowRejected.incrementAndGet();
        }
      }
    } catch (Exception e) {
      stats.errors.incrementAndGet();
    }
  }

  /** Takes the desired values as its own and reports them: the delta then goes away. */
  private void applyDelta(JsonNode state) {
    if (!state.isObject() || state.isEmpty()) {
      return;
    }
    ObjectNode applied = JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("reportIntervalMs")) {
        long wanted = field.getValue().asLong();
        if (wanted < 100 || wanted > 3_600_000) {
          continue; // refused: the delta stays, as on a device that cannot do it
        }
        interval = wanted;
        schedule(interval);
      }
      reported.set(field.getKey(), field.getValue());
      applied.set(field.getKey(), field.getValue());
    }
    stats.deltasApplied.incrementAndGet();
    if (!applied.isEmpty()) {
      reportShadow(applied);
    }
  }

  /** Acknowledges a command on its events topic (the API README's command record). */
  private void command(JsonNode command) {
    String name = command.path("name").asText("");
    long expiresAt = command.path("expiresAt").asLong(Long.MAX_VALUE);
    String status;
    if (System.currentTimeMillis() > expiresAt) {
      status = "expired";
    } else if (name.equals("reboot") || name.equals("ping") || name.equals("identify")) {
      status = "done";
    } else {
      status = "unsupported";
    }
    ObjectNode ack = event("command_ack");
    ack.put("commandId", command.path("commandId").asText(""));
    ack.put("name", name);
    ack.put("status", status);
    publish("devices/" + id + "/events", bytes(ack));
    stats.commandsAcked.incrementAndGet();
    if (status.equals("done") && name.equals("reboot")) {
      reboot("command");
    }
  }

  private ObjectNode event(String type) {
    ObjectNode event = JSON.createObjectNode();
    event.put("deviceId", id);
    event.put("ts", System.currentTimeMillis() + clockSkew);
    event.put("type", type);
    return event;
  }

  private void publish(String topic, byte[] payload) {
    client
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload)
        .userProperties()
        .add("client.id", id)
        .applyUserProperties()
        .send();
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized boolean online() {
    return online;
  }

  /** Stops reporting and disconnects. */
  CompletableFuture<Void> stop() {
    synchronized (this) {
      stopped = true;
      if (ticking != null) {
        ticking.cancel(false);
      }
      if (online) {
        online = false;
        stats.online.decrementAndGet();
      }
    }
    return client.disconnect().exceptionally(e -> null);
  }
}
