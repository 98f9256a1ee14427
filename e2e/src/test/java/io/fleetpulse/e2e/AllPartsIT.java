package io.fleetpulse.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import io.fleetpulse.api.ShadowApi;
import io.fleetpulse.api.ShadowApiConfig;
import io.fleetpulse.connectors.mqtt.MqttBridge;
import io.fleetpulse.connectors.mqtt.MqttBridgeConfig;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.mqtt.MosquittoExtension;
import io.fleetpulse.jobs.anomaly.AnomalyJob;
import io.fleetpulse.jobs.anomaly.AnomalyJobConfig;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.shadow.ShadowJob;
import io.fleetpulse.jobs.shadow.ShadowJobConfig;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.sql.RuleSet;
import io.fleetpulse.sql.SqlRulesConfig;
import io.fleetpulse.sql.SqlRulesJob;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * All of FleetPulse at once, as a user runs it: devices on MQTT (Mosquitto) → the bridge → Kafka →
 * the TelemetryJob, AnomalyJob, ShadowJob and SqlRulesJob (an analysts' rule of {@code sql/rules})
 * on one Flink cluster → InfluxDB (influxd), the Parquet archive, {@code iot.alerts} and {@code
 * iot.shadows} → the API (REST, SSE) → a webhook receiver. One scripted fleet run ({@link
 * FleetScript}, deterministic, so every result is known exactly), then each test checks one
 * outcome.
 */
@ExtendWith({KafkaExtension.class, InfluxDbExtension.class, MosquittoExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AllPartsIT {

  private static final int DEVICES = 12;
  private static final int SHADOW_DEVICE = 5;
  private static final long ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long WINDOW_MS = 10_000;
  private static final String DB = "e2e";
  private static final String KEY = "e2e-admin-key";
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final Deque<AutoCloseable> OPEN = new ArrayDeque<>();
  private static final List<MqttDevice> DEVICES_ON_MQTT = new ArrayList<>();
  private static final List<String> SSE_ALERTS = new CopyOnWriteArrayList<>();
  private static FleetScript script;
  private static InfluxDbProcess influx;
  private static Path archive;
  private static String api;
  private static WebhookReceiver receiver;
  private static String webhookSecret;

  @BeforeAll
  static void runTheFleet(KafkaTestClient kafka, InfluxDbProcess influxd, MosquittoBroker broker)
      throws Exception {
    influx = influxd;
    script = new FleetScript(DEVICES, "e2e", TestTimes.minuteAlignedHourAgo(), 2);
    String bootstrap = kafka.bootstrapServers();
    script.setUpKafka(kafka);
    influx.dropDatabase(DB);
    influx.createDatabase(DB);

    MqttBridge bridge =
        MqttBridge.builder()
            .config(
                MqttBridgeConfig.load(
                    args(
                        "kafka.bootstrap.servers",
                        bootstrap,
                        "mqtt.host",
                        broker.host(),
                        "mqtt.port",
                        String.valueOf(broker.port()),
                        // Mosquitto 2.0.11 overruns a smaller receive maximum (see BridgeTests).
                        "mqtt.receive-maximum",
                        "65535",
                        "http.host",
                        "127.0.0.1",
                        "http.port",
                        "0"),
                    Map.of()))
            .build()
            .start();
    OPEN.push(bridge);

    archive = BuildDirs.fresh("e2e-archive");
    TelemetryJobConfig telemetry =
        TelemetryJobConfig.load(
            args(
                "kafka.bootstrap.servers",
                bootstrap,
                "window.size",
                WINDOW_MS + "ms",
                "watermark.out-of-orderness",
                "2s",
                // The last window of each device closes this long after its last reading.
                "window.idle-timeout",
                "5s",
                "checkpoint.interval",
                "1s",
                "archive.path",
                archive.toUri().toString(),
                "influx.url",
                influx.url(),
                "influx.db",
                DB,
                "influx.flush-interval",
                "200ms"),
            Map.of());
    submit(
        TelemetryJob.flinkConfiguration(telemetry),
        "e2e-telemetry",
        env -> {
          TelemetryJob.kafkaJob(telemetry, false).build(env);
        });

    Path rules = archive.getParent().resolve("e2e-rules.json");
    Files.writeString(rules, FleetScript.RULES, UTF_8);
    AnomalyJobConfig anomaly =
        AnomalyJobConfig.load(
            args(
                "kafka.bootstrap.servers",
                bootstrap,
                "anomaly.rules-file",
                rules.toString(),
                "offline.heartbeat-factor",
                String.valueOf(FleetScript.HEARTBEAT_FACTOR),
                "offline.default-heartbeat",
                "60s",
                // One OPEN per episode: no count updates within the run.
                "alert.update-interval",
                "1h",
                "checkpoint.interval",
                "1s"),
            Map.of());
    submit(
        AnomalyJob.flinkConfiguration(anomaly),
        "e2e-anomaly",
        env -> {
          AnomalyJob.kafkaJob(anomaly).build(env);
        });

    ShadowJobConfig shadow =
        ShadowJobConfig.load(
            args("kafka.bootstrap.servers", bootstrap, "checkpoint.interval", "1s"), Map.of());
    submit(
        ShadowJob.flinkConfiguration(shadow),
        "e2e-shadow",
        env -> {
          ShadowJob.kafkaJob(shadow).build(env);
        });

    // The analysts' rule as shipped, on the enriched telemetry; its signals reach the AnomalyJob's
    // lifecycle through iot.alert.signals.
    Path sqlDir = Path.of("..", "sql");
    SqlRulesConfig sql =
        SqlRulesConfig.load(
            args(
                "kafka.bootstrap.servers",
                bootstrap,
                "sql.dir",
                sqlDir.toString(),
                "sql.rules",
                FleetScript.SQL_RULE,
                "checkpoint.interval",
                "1s"),
            Map.of());
    submit(
        JobEnvironment.configuration(sql.checkpointInterval(), "hashmap", null),
        "e2e-sql-rules",
        env -> {
          StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
          RuleSet set = RuleSet.load(sqlDir).only(sql.rules());
          ((StreamStatementSet) SqlRulesJob.statements(tEnv, set, sql)).attachAsDataStream();
        });

    ShadowApi shadowApi =
        new ShadowApi(
                ShadowApiConfig.load(
                    args(
                        "kafka.bootstrap.servers", bootstrap,
                        "http.host", "127.0.0.1",
                        "http.port", "0",
                        "auth.api-keys", KEY + "=admin",
                        "webhooks.allow-private-hosts", "127.0.0.1",
                        "webhooks.retry.initial-backoff", "200ms"),
                    Map.of()))
            .start();
    OPEN.push(shadowApi);
    api = "http://127.0.0.1:" + shadowApi.port();
    receiver = new WebhookReceiver();
    OPEN.push(receiver);
    await(
        "the API's views and its webhook consumer",
        () -> shadowApi.ready() && shadowApi.deliveringWebhooks());
    HttpResponse<String> created =
        call("POST", "/webhooks", "{\"url\":\"" + receiver.url() + "\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    webhookSecret = json(created.body()).path("secret").asText();
    Stream<String> sse = sseAlerts();
    OPEN.push(sse::close);

    for (int d = 0; d < DEVICES; d++) {
      MqttDevice device = new MqttDevice(script.deviceId(d), broker.host(), broker.port());
      DEVICES_ON_MQTT.add(device);
      OPEN.push(device);
    }
    join(DEVICES_ON_MQTT.stream().map(MqttDevice::connect).toList());
    publishTheScript();
  }

  /** Every round's readings, a round every 250 ms; silent devices really leave the broker. */
  private static void publishTheScript() {
    long due = System.nanoTime();
    for (int r = 0; r < FleetScript.ROUNDS; r++) {
      List<CompletableFuture<?>> acks = new ArrayList<>();
      for (int d = 0; d < DEVICES; d++) {
        MqttDevice device = DEVICES_ON_MQTT.get(d);
        if (script.silent(d) && r == FleetScript.SILENCE_FROM) {
          device.disconnect();
        } else if (script.silent(d) && r == FleetScript.SILENCE_TO) {
          join(List.of(device.connect()));
        }
        if (script.reports(d, r)) {
          byte[] payload = ModelJson.toBytes(script.reading(d, r));
          acks.add(device.telemetry(payload));
          if (script.resends(d, r)) {
            acks.add(device.telemetry(payload));
          }
        }
      }
      join(acks);
      due += ROUND_NANOS;
      LockSupport.parkNanos(due - System.nanoTime());
    }
  }

  @AfterAll
  static void stopEverything() {
    while (!OPEN.isEmpty()) {
      try {
        OPEN.pop().close();
      } catch (Exception e) {
        System.err.println("while stopping: " + e);
      }
    }
  }

  @Test
  @Order(1)
  void aDesiredStateSetThroughTheApiReachesTheDeviceWhichReportsItAndTheDeltaGoesEmpty() {
    String id = script.deviceId(SHADOW_DEVICE);
    await("the device's first report in its shadow", () -> shadowOf(id) != null);
    HttpResponse<String> update =
        call(
            "POST",
            "/devices/" + id + "/shadow?wait=10s",
            "{\"state\":{\"desired\":{\"led\":\"on\",\"mode\":\"eco\"}}}");
    assertThat(update.statusCode()).as(update.body()).isEqualTo(200);

    MqttDevice device = DEVICES_ON_MQTT.get(SHADOW_DEVICE);
    await("the delta at the device", () -> !device.deltas().isEmpty());
    assertThat(device.deltas().get(0).path("state").path("led").asText()).isEqualTo("on");
    await(
        "the reported state to catch up with the desired one",
        () -> {
          JsonNode s = shadowOf(id);
          return s != null && "eco".equals(s.path("state").path("reported").path("mode").asText());
        });
    JsonNode state = shadowOf(id).path("state");
    assertThat(state.path("reported").path("led").asText()).isEqualTo("on");
    assertThat(state.path("desired").path("led").asText()).isEqualTo("on");
    assertThat(state.path("delta").isMissingNode() || state.path("delta").isEmpty())
        .as("delta of %s", state)
        .isTrue();
    assertThat(device.deltas()).hasSize(1);
  }

  @Test
  @Order(2)
  void theAggregatesInInfluxDbAreExactlyThoseOfThePublishedReadings() {
    Map<String, List<Double>> expected = script.expectedAggregates(WINDOW_MS);
    String query = FleetScript.INFLUX_AGGREGATES;
    await("every window in InfluxDB", () -> influx.query(DB, query).size() >= expected.size());
    assertThat(FleetScript.aggregates(influx.query(DB, query))).isEqualTo(expected);
  }

  @Test
  @Order(3)
  void theArchiveHoldsEveryPublishedReadingOnce() throws Exception {
    List<String> expected = new ArrayList<>();
    for (Telemetry t : script.distinctReadings()) {
      expected.add(row(t.getDeviceId(), t.getTs(), t.getSeq(), t.getMetrics()));
    }
    await("every reading in committed Parquet files", () -> archived().size() >= expected.size());
    assertThat(archived()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  @Order(4)
  void theApiShowsEveryAlertInItsLastStateAndStreamsEveryTransitionOverSse() {
    Set<String> expected = expectedTransitions();
    await("every transition on the SSE stream", () -> new TreeSet<>(SSE_ALERTS).equals(expected));
    HttpResponse<String> list = call("GET", "/alerts?limit=1000", null);
    assertThat(list.statusCode()).isEqualTo(200);
    Map<String, String> lastState = new HashMap<>();
    json(list.body())
        .path("items")
        .forEach(a -> lastState.put(a.path("alertId").asText(), a.path("state").asText()));
    Map<String, String> wanted = new HashMap<>();
    for (String transition : expected) {
      String[] parts = transition.split(" ");
      wanted.merge(parts[0], parts[1], (a, b) -> "RESOLVED");
    }
    assertThat(lastState).isEqualTo(wanted);
  }

  @Test
  @Order(5)
  void theWebhookGetsEveryTransitionOnceSignedAndNothingElse() {
    Set<String> expected = expectedTransitions();
    await("every transition at the webhook", () -> receiver.transitions().equals(expected));
    List<WebhookReceiver.Delivery> deliveries = receiver.deliveries();
    Set<String> ids = new HashSet<>();
    Webhook verifier = new Webhook(webhookSecret);
    for (WebhookReceiver.Delivery d : deliveries) {
      ids.add(d.headers().get("webhook-id").get(0));
      try {
        verifier.verify(d.body(), d.headers());
      } catch (Exception e) {
        throw new AssertionError("bad signature on " + d.body(), e);
      }
    }
    // One webhook-id per transition (a retry would repeat its id, never make a new one).
    assertThat(ids).hasSize(expected.size());
    // Still exactly these after the API and stream checks: nothing more came meanwhile.
    assertThat(receiver.transitions()).isEqualTo(expected);
    assertThat(new TreeSet<>(SSE_ALERTS)).isEqualTo(expected);
  }

  @Test
  @Order(6)
  void theSqlRulesSignalsBecomeAlertsOfTheirOwnAtTheWebhook() {
    Set<String> sqlAlerts = script.expectedSqlTransitions();
    await(
        "the SQL rule's alerts at the webhook",
        () -> receiver.transitions().containsAll(sqlAlerts));
    HttpResponse<String> list = call("GET", "/alerts?limit=1000", null);
    List<String> fromSql = new ArrayList<>();
    json(list.body())
        .path("items")
        .forEach(
            a -> {
              if (a.path("rule").asText().equals(FleetScript.SQL_RULE)) {
                fromSql.add(a.path("alertId").asText() + " " + a.path("state").asText());
              }
            });
    assertThat(new TreeSet<>(fromSql)).isEqualTo(sqlAlerts);
  }

  @Test
  @Order(7)
  void theApiTracksEachCommandUntilTheDeviceAnswersOrItsTimeRunsOut() {
    String id = script.deviceId(SHADOW_DEVICE);
    String ping = send(id, "{\"name\":\"ping\"}");
    String unknown = send(id, "{\"name\":\"self-destruct\"}");
    await("the ping acknowledged", () -> "ACKED".equals(status(id, ping).path("status").asText()));
    await("the refusal", () -> "FAILED".equals(status(id, unknown).path("status").asText()));
    assertThat(status(id, unknown).path("deviceStatus").asText()).isEqualTo("unsupported");
    assertThat(status(id, ping).path("answeredAt").asLong()).isPositive();

    // A device that is gone never answers: SENT until the command's time to live passes.
    MqttDevice gone = DEVICES_ON_MQTT.get(DEVICES - 1);
    gone.disconnect();
    String lost = send(script.deviceId(DEVICES - 1), "{\"name\":\"ping\",\"ttlSeconds\":3}");
    JsonNode sent = status(script.deviceId(DEVICES - 1), lost);
    assertThat(sent.path("status").asText()).as("%s", sent).isEqualTo("SENT");
    await(
        "the lost command timed out",
        () ->
            "TIMED_OUT".equals(status(script.deviceId(DEVICES - 1), lost).path("status").asText()));

    HttpResponse<String> list = call("GET", "/devices/" + id + "/commands", null);
    assertThat(list.statusCode()).isEqualTo(200);
    List<String> statuses = new ArrayList<>();
    json(list.body()).path("items").forEach(c -> statuses.add(c.path("status").asText()));
    assertThat(statuses).containsExactlyInAnyOrder("FAILED", "ACKED");
    assertThat(call("GET", "/devices/" + id + "/commands/nope", null).statusCode()).isEqualTo(404);
  }

  /** Sends a command through the API; its commandId. */
  private static String send(String deviceId, String body) {
    HttpResponse<String> r = call("POST", "/devices/" + deviceId + "/commands", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return json(r.body()).path("commandId").asText();
  }

  /** The API's view of a command; waits for the view to have it (it reads iot.commands). */
  private static JsonNode status(String deviceId, String commandId) {
    String path = "/devices/" + deviceId + "/commands/" + commandId;
    await(
        "command " + commandId + " in the API", () -> call("GET", path, null).statusCode() == 200);
    return json(call("GET", path, null).body());
  }

  /** The AnomalyJob's own alerts and those of the SQL rule's signals. */
  private static Set<String> expectedTransitions() {
    Set<String> all = new TreeSet<>(script.expectedTransitions(false));
    all.addAll(script.expectedSqlTransitions());
    return all;
  }

  private static List<String> archived() {
    String sql =
        "SELECT deviceId, epoch_ms(ts), seq, map_extract(metrics, 'temperature')[1],"
            + " map_extract(metrics, 'battery')[1] FROM read_parquet('"
            + archive
            + "/*/*/*.parquet', hive_partitioning = true)";
    List<String> rows = new ArrayList<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        Map<String, Double> m = Map.of("temperature", rs.getDouble(4), "battery", rs.getDouble(5));
        rows.add(row(rs.getString(1), rs.getLong(2), rs.getLong(3), m));
      }
    } catch (java.sql.SQLException noFilesYet) {
      return List.of();
    }
    return rows;
  }

  private static String row(String device, long ts, long seq, Map<String, Double> metrics) {
    return device + "|" + ts + "|" + seq + "|" + new java.util.TreeMap<>(metrics);
  }

  private static JsonNode shadowOf(String id) {
    HttpResponse<String> r = call("GET", "/devices/" + id + "/shadow", null);
    return r.statusCode() == 200 ? json(r.body()) : null;
  }

  /** The API's alert stream; every {@code alert} event's "alertId STATE" goes to SSE_ALERTS. */
  private static Stream<String> sseAlerts() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api + "/stream/alerts"))
            .header("Accept", "text/event-stream")
            .header("Authorization", "Bearer " + KEY)
            .build();
    HttpResponse<Stream<String>> response =
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    Stream<String> lines = response.body();
    Thread reader =
        new Thread(
            () -> {
              String[] event = {""};
              try {
                lines.forEach(
                    line -> {
                      if (line.startsWith("event:")) {
                        event[0] = line.substring(6).trim();
                      } else if (line.startsWith("data:") && event[0].equals("alert")) {
                        JsonNode alert = json(line.substring(5));
                        SSE_ALERTS.add(
                            alert.path("alertId").asText() + " " + alert.path("state").asText());
                      }
                    });
              } catch (RuntimeException closed) {
                // The stream ends when the test closes it.
              }
            },
            "e2e-sse");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private interface Build {
    void on(StreamExecutionEnvironment env) throws Exception;
  }

  private static void submit(Configuration jobConf, String name, Build build) throws Exception {
    Configuration conf = new Configuration(jobConf);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
    StreamExecutionEnvironment env = JobEnvironment.create(conf);
    env.setParallelism(1);
    build.on(env);
    JobClient job = env.executeAsync(name);
    OPEN.push(() -> job.cancel().get(30, TimeUnit.SECONDS));
  }

  private static String[] args(String... keyValues) {
    String[] out = new String[keyValues.length];
    for (int i = 0; i < keyValues.length; i += 2) {
      out[i] = "--" + keyValues[i];
      out[i + 1] = keyValues[i + 1];
    }
    return out;
  }

  static HttpResponse<String> call(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + KEY);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path, e);
    }
  }

  static JsonNode json(String text) {
    try {
      return ModelJson.mapper().readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static void join(List<? extends CompletableFuture<?>> futures) {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the broker did not acknowledge", e);
    }
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + PATIENCE + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** A real HTTP webhook receiver on loopback that keeps every delivery and answers 204. */
  static final class WebhookReceiver implements AutoCloseable {

    /** One request: its headers (names in lower case) and body. */
    record Delivery(Map<String, List<String>> headers, String body) {}

    private final HttpServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    WebhookReceiver() throws Exception {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/",
          exchange -> {
            Map<String, List<String>> headers = new HashMap<>();
            exchange
                .getRequestHeaders()
                .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            deliveries.add(
                new Delivery(headers, new String(exchange.getRequestBody().readAllBytes(), UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/fleet";
    }

    List<Delivery> deliveries() {
      return List.copyOf(deliveries);
    }

    /** "alertId STATE" of everything delivered. */
    Set<String> transitions() {
      Set<String> out = new TreeSet<>();
      for (Delivery d : deliveries) {
        JsonNode alert = json(d.body()).path("data");
        out.add(alert.path("alertId").asText() + " " + alert.path("state").asText());
      }
      return out;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
