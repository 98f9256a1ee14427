package io.fleetpulse.bench.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.api.ShadowApi;
import io.fleetpulse.api.ShadowApiConfig;
import io.fleetpulse.bench.telemetry.BenchCharts;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The live half of the API under load, in one JVM: an in-JVM Kafka broker, a {@link ShadowApi}, 100
 * real HTTP webhook receivers and 1,000 SSE clients. Alerts are written to {@code iot.alerts} at a
 * fixed rate; each delivery's latency is the time from the write to the receiver (or SSE client)
 * seeing it.
 *
 * <p>Webhooks run twice on the same receivers: all 100 alive (the baseline), then 99 alive and one
 * dead (it accepts connections and never answers, so every request to it runs into {@code
 * webhooks.timeout}, then is retried). The ratio of the live receivers' percentiles between the two
 * phases shows whether the dead one delays the others.
 *
 * <p>Usage: {@code LiveApiBenchmark [--quick] [--receivers N] [--alerts N] [--rate ALERTS_PER_S]
 * [--sse-clients N] [--sse-alerts N] [--sse-rate ALERTS_PER_S] [--out FILE.md]}; the report goes to
 * stdout and, with {@code --out}, to FILE.md plus FILE.csv and FILE.png.
 */
public final class LiveApiBenchmark {

  private static final String KEY = "bench-admin";
  private static final Duration DRAIN = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private LiveApiBenchmark() {}

  /** One measured phase: what it is, how many deliveries were expected, and their latencies. */
  record Result(
      String phase, String what, int expected, Latencies.Summary latency, double seconds) {}

  public static void main(String[] args) throws Exception {
    int receivers = 100;
    // rates the 2 shared cores sustain (about 1,000 webhook requests/s, 5,000 SSE events/s), so
    // the latencies are those of a keeping-up service, not of a queue
    int alerts = 1_000;
    int rate = 10;
    int sseClients = 1_000;
    int sseAlerts = 200;
    int sseRate = 5;
    boolean quick = false;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--receivers" -> receivers = Integer.parseInt(args[++i]);
        case "--alerts" -> alerts = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--sse-clients" -> sseClients = Integer.parseInt(args[++i]);
        case "--sse-alerts" -> sseAlerts = Integer.parseInt(args[++i]);
        case "--sse-rate" -> sseRate = Integer.parseInt(args[++i]);
        case "--out" -> out = Paths.get(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (quick) {
      alerts = Math.min(alerts, 100);
      sseAlerts = Math.min(sseAlerts, 25);
    }
    double loadAtStart = load();
    long began = System.nanoTime();
    List<Result> results = new ArrayList<>();
    StringBuilder notes = new StringBuilder();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(BuildDirs.fresh("bench-live-kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      createTopics(bootstrap);
      try (ShadowApi api = new ShadowApi(config(bootstrap)).start();
          KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
          WebhookReceivers hooks = new WebhookReceivers(receivers)) {
        String base = "http://127.0.0.1:" + api.port();
        await(
            () -> api.ready() && api.streaming() && api.deliveringWebhooks(),
            "the API",
            Duration.ofSeconds(60));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < receivers; i++) {
          ids.add(createWebhook(base, hooks.url(i)));
        }
        // warm-up: connections, JIT, the dispatcher's first assignment
        webhookPhase(producer, hooks, "warm-up", 20, rate, receivers);

        results.add(
            webhookPhase(producer, hooks, "all " + receivers + " alive", alerts, rate, receivers));
        call(base, "DELETE", "/webhooks/" + ids.get(0), null);
        String deadId = createWebhook(base, hooks.deadUrl());
        String gone = ids.get(0);
        await(
            () -> {
              String listed = unchecked(() -> call(base, "GET", "/webhooks", null).body());
              return listed.contains(deadId) && !listed.contains(gone);
            },
            "the endpoint change",
            Duration.ofSeconds(30));
        results.add(
            webhookPhase(
                producer, hooks, (receivers - 1) + " alive + 1 dead", alerts, rate, receivers - 1));
        // the dead receiver never answers, so each request to it is a connection it still holds
        notes.append(
            String.format(
                Locale.ROOT,
                "- The dead receiver got %d requests during the run (each waited the 2 s timeout;"
                    + " its deliveries were still being retried at the end).%n",
                hooks.deadConnections()));
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Latencies sse = new Latencies(sseClients * sseAlerts);
        long opening = System.nanoTime();
        try (SseClients clients =
            new SseClients(base + "/stream/alerts", KEY, sseClients, sent, sse)) {
          if (!clients.awaitSubscribed(Duration.ofSeconds(120))) {
            throw new IllegalStateException(
                "only " + clients.subscribed() + " of " + sseClients + " SSE streams opened");
          }
          notes.append(
              String.format(
                  Locale.ROOT,
                  "- %,d SSE streams opened and positioned in %.1f s.%n",
                  sseClients,
                  (System.nanoTime() - opening) / 1e9));
          long start = System.nanoTime();
          produce(producer, "sse", sseAlerts, sseRate, sent);
          int expected = sseClients * sseAlerts;
          awaitQuietly(() -> sse.count() >= expected, DRAIN);
          results.add(
              new Result(
                  "SSE fan-out",
                  sseClients + " clients",
                  expected,
                  sse.summary(),
                  (System.nanoTime() - start) / 1e9));
          if (clients.ended() > 0) {
            notes.append(String.format("- %d SSE streams ended early.%n", clients.ended()));
          }
        }
      }
    }
    double total = (System.nanoTime() - began) / 1e9;
    String md = report(results, notes, receivers, alerts, rate, sseAlerts, sseRate, quick);
    md +=
        String.format(
            Locale.ROOT,
            "%n## Machine%n%n- %d cores, Java %s, max heap %,d MB; broker, API, receivers and"
                + " clients share this JVM.%n- Load average (1 min) at start: %.2f; at the end:"
                + " %.2f.%n- Total run time %.0f s.%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() / (1024 * 1024),
            loadAtStart,
            load(),
            total);
    System.out.print(md);
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, md);
      Files.writeString(
          Paths.get(out.toString().replaceFirst("\\.md$", "") + ".csv"), csv(results));
      Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
      for (String p : List.of("p50", "p90", "p99")) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (Result r : results) {
          Latencies.Summary s = r.latency();
          series.put(
              r.phase() + " (" + r.what() + ")",
              p.equals("p50") ? s.p50() : p.equals("p90") ? s.p90() : s.p99());
        }
        bars.put(p, series);
      }
      BenchCharts.seriesBars(
          Paths.get(out.toString().replaceFirst("\\.md$", "") + ".png"),
          "Alert written to iot.alerts -> delivered (ms)",
          "phase",
          "latency (ms)",
          bars);
    }
  }

  private static Result webhookPhase(
      KafkaProducer<byte[], byte[]> producer,
      WebhookReceivers hooks,
      String name,
      int alerts,
      int rate,
      int liveReceivers)
      throws InterruptedException {
    Map<String, Long> sent = new ConcurrentHashMap<>();
    Latencies latencies = new Latencies(alerts * liveReceivers);
    hooks.measure(new WebhookReceivers.Phase(sent, latencies));
    long start = System.nanoTime();
    produce(producer, name.replace(' ', '-'), alerts, rate, sent);
    int expected = alerts * liveReceivers;
    awaitQuietly(() -> latencies.count() >= expected, DRAIN);
    double seconds = (System.nanoTime() - start) / 1e9;
    hooks.measure(null);
    return new Result("webhooks", name, expected, latencies.summary(), seconds);
  }

  /** Writes {@code n} alerts at {@code rate} per second, noting when each was handed to Kafka. */
  private static void produce(
      KafkaProducer<byte[], byte[]> producer,
      String prefix,
      int n,
      int rate,
      Map<String, Long> sent) {
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      String device = "bench-d" + (i % 64);
      String alertId = prefix + "-" + i;
      Alert a =
          new Alert(
              alertId,
              device,
              "threshold",
              AlertSeverity.CRITICAL,
              AlertState.OPEN,
              System.currentTimeMillis(),
              "temp",
              90.0 + i % 10,
              "too hot",
              "bench");
      byte[] value = ModelJson.toBytes(a);
      sent.put(alertId, System.nanoTime());
      producer.send(
          new ProducerRecord<>(
              FleetTopics.ALERTS.name(), device.getBytes(StandardCharsets.UTF_8), value));
    }
    producer.flush();
  }

  private static String report(
      List<Result> results,
      StringBuilder notes,
      int receivers,
      int alerts,
      int rate,
      int sseAlerts,
      int sseRate,
      boolean quick) {
    StringBuilder md = new StringBuilder();
    md.append("# Live API: webhook and SSE delivery latency, ")
        .append(LocalDate.now())
        .append(quick ? " (quick run: numbers only indicative)" : "")
        .append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "One JVM: an in-JVM Kafka broker (KRaft), the shadow-api (`ShadowApi`, default webhook"
                + " settings except `webhooks.timeout=2s`), %d webhook receivers (JDK `HttpServer`s"
                + " on loopback answering 204) and the SSE clients (`java.net.http`, one client,"
                + " async line subscribers). Latency = from handing the alert to the Kafka producer"
                + " (`iot.alerts`, 4 partitions, linger 0) to the receiver reading the request, or"
                + " the SSE client reading the event's data line.%n%n"
                + "- Webhooks: %,d alerts per phase at %d alerts/s, every alert to every endpoint"
                + " (no filter), so %,d deliveries per phase; one warm-up phase of 20 alerts"
                + " first. Phase 2 replaces one endpoint by a dead receiver (accepts TCP"
                + " connections, never answers: each try waits the 2 s timeout, then backs off"
                + " 5 s, 10 s, ... for 8 tries).%n"
                + "- SSE: %,d alerts at %d alerts/s to every client of `GET /stream/alerts`.%n%n",
            receivers,
            alerts,
            rate,
            alerts * receivers,
            sseAlerts,
            sseRate));
    md.append("| phase | receivers | deliveries | p50 ms | p90 ms | p99 ms | max ms | missing |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      Latencies.Summary s = r.latency();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d | %.1f | %.1f | %.1f | %.1f | %,d |%n",
              r.phase(),
              r.what(),
              s.count(),
              s.p50(),
              s.p90(),
              s.p99(),
              s.max(),
              Math.max(0, r.expected() - s.count())));
    }
    if (results.size() >= 2) {
      Latencies.Summary alive = results.get(0).latency();
      Latencies.Summary dead = results.get(1).latency();
      md.append(
          String.format(
              Locale.ROOT,
              "%n**Live receivers with one dead receiver / all alive: p50 × %.2f, p99 × %.2f.**"
                  + "%n",
              dead.p50() / alive.p50(),
              dead.p99() / alive.p99()));
    }
    md.append('\n').append(notes);
    md.append(
        "- An alert stays in flight until its delivery to every matching endpoint ended"
            + " (delivered or parked). A dead receiver matching every alert would keep each one in"
            + " flight for its whole retry schedule (8 tries over about 11 minutes by default) and"
            + " at a sustained rate fill `webhooks.max-pending` (10,000), pausing every receiver;"
            + " past `webhooks.max-pending-per-endpoint` (1,000) unfinished deliveries its new ones"
            + " are parked at once (replayable), so it holds at most that many alerts.\n");
    return md.toString();
  }

  private static String csv(List<Result> results) {
    StringBuilder csv =
        new StringBuilder(
            "phase,receivers,expected,delivered,p50_ms,p90_ms,p99_ms,max_ms,seconds\n");
    for (Result r : results) {
      Latencies.Summary s = r.latency();
      csv.append(
          String.format(
              Locale.ROOT,
              "%s,%s,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f%n",
              r.phase(),
              r.what(),
              r.expected(),
              s.count(),
              s.p50(),
              s.p90(),
              s.p99(),
              s.max(),
              r.seconds()));
    }
    return csv.toString();
  }

  private static ShadowApiConfig config(String bootstrap) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap);
    c.put("http.host", "127.0.0.1");
    c.put("http.port", "0");
    c.put("auth.api-keys", KEY + "=admin");
    c.put("webhooks.allow-private-hosts", "127.0.0.1");
    c.put("webhooks.timeout", "2s");
    return ShadowApiConfig.from(Settings.of(c, ShadowApiConfig.OPTIONS));
  }

  private static void createTopics(String bootstrap) {
    List<String> compacted =
        List.of(
            FleetTopics.DEVICES.name(), FleetTopics.SHADOWS.name(), FleetTopics.WEBHOOKS.name());
    List<String> all = new ArrayList<>(compacted);
    all.addAll(
        List.of(
            FleetTopics.ALERTS.name(),
            FleetTopics.SHADOW_DESIRED.name(),
            FleetTopics.COMMANDS.name(),
            FleetTopics.EVENTS_RAW.name(),
            FleetTopics.SHADOW_RESPONSES.name(),
            FleetTopics.ALERT_ACTIONS.name(),
            FleetTopics.TELEMETRY_AGG.name(),
            FleetTopics.WEBHOOKS_DLQ.name()));
    new KafkaTestClient(bootstrap).createTopics(4, all, compacted);
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static String createWebhook(String base, String url) throws Exception {
    HttpResponse<String> r = call(base, "POST", "/webhooks", "{\"url\":\"" + url + "\"}");
    if (r.statusCode() != 201) {
      throw new IllegalStateException("creating a webhook: " + r.statusCode() + " " + r.body());
    }
    return json(r).get("id").asText();
  }

  private static HttpResponse<String> call(String base, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + KEY);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  interface Call<T> {
    T get() throws Exception;
  }

  private static <T> T unchecked(Call<T> call) {
    try {
      return call.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return ModelJson.mapper().readTree(r.body());
  }

  private static double load() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static void await(BooleanSupplier condition, String what, Duration timeout)
      throws InterruptedException {
    if (!awaitQuietly(condition, timeout)) {
      throw new IllegalStateException("timed out waiting for " + what);
    }
  }

  private static boolean awaitQuietly(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
