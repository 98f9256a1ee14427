package io.fleetpulse.bench.api;

import io.fleetpulse.api.ShadowApi;
import io.fleetpulse.api.ShadowApiConfig;
import io.fleetpulse.bench.telemetry.BenchCharts;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.FleetTopics;
import io.javalin.Javalin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code GET /devices/{id}/shadow} of the shadow-api with N shadows (and N devices) loaded from
 * embedded Kafka, against a bare Javalin handler answering the same bytes, in the same run from the
 * same loopback load generator; plus the views' rebuild time, the heap after loading, and the
 * device listing (cursor pages and filters, which scan the store).
 */
public final class ShadowApiBenchmark {

  private static final String KEY = "bench-reader-key";
  private static final int PARTITIONS = 4;

  private int shadows = 1_000_000;
  private int seconds = 15;
  private int rounds = 3;
  private int concurrency = 32;
  private Path out = Paths.get("bench/results/" + LocalDate.now() + "-shadow-api.md");

  private ShadowApiBenchmark() {}

  public static void main(String[] args) throws Exception {
    ShadowApiBenchmark bench = new ShadowApiBenchmark();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> {
          bench.shadows = 100_000;
          bench.seconds = 5;
          bench.rounds = 1;
          bench.out =
              Paths.get(System.getProperty("fleetpulse.build.dir", "target"))
                  .resolve("quick-shadow-api.md");
        }
        case "--shadows" -> bench.shadows = Integer.parseInt(args[++i]);
        case "--seconds" -> bench.seconds = Integer.parseInt(args[++i]);
        case "--rounds" -> bench.rounds = Integer.parseInt(args[++i]);
        case "--concurrency" -> bench.concurrency = Integer.parseInt(args[++i]);
        case "--out" -> bench.out = Paths.get(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    bench.run();
    System.exit(0);
  }

  /** One measured load: requests answered, their latencies, errors. */
  record Load(String target, int round, long requests, long errors, double seconds, long[] nanos) {

    double rate() {
      return requests / seconds;
    }

    double percentileMs(double p) {
      if (nanos.length == 0) {
        return Double.NaN;
      }
      int at = (int) Math.min(nanos.length - 1, Math.ceil(p * nanos.length) - 1);
      return nanos[Math.max(0, at)] / 1e6;
    }
  }

  private void run() throws Exception {
    String load = loadAverage();
    Map<String, String> facts = new LinkedHashMap<>();
    List<Load> loads = new ArrayList<>();
    Map<String, Double> listing = new LinkedHashMap<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(BuildDirs.fresh("bench-api-kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      createTopics(bootstrap);
      long t = System.nanoTime();
      long bytes = produce(bootstrap);
      double produceSeconds = secondsSince(t);
      log("produced %,d shadows and %,d devices in %.1f s", shadows, shadows, produceSeconds);
      facts.put(
          "records produced",
          String.format(
              Locale.ROOT,
              "%,d shadows + %,d devices " + "(%.0f B per shadow), %.1f s",
              shadows,
              shadows,
              (double) bytes / shadows,
              produceSeconds));
      long heapBefore = heapUsed();

      t = System.nanoTime();
      try (ShadowApi api = new ShadowApi(config(bootstrap)).start()) {
        while (!api.ready()) {
          Thread.sleep(50);
        }
        double rebuild = secondsSince(t);
        log("views loaded (rebuild) in %.1f s", rebuild);
        facts.put(
            "view rebuild (start to ready: both views from offset 0)",
            String.format(
                Locale.ROOT,
                "%.1f s (%,.0f records/s over the two views)",
                rebuild,
                2.0 * shadows / rebuild));
        long heapAfter = heapUsed();
        facts.put(
            "heap used after load (after GC; the broker runs in the same JVM)",
            String.format(
                Locale.ROOT,
                "%,d MB (before the API started: %,d MB; max %,d MB)",
                heapAfter >> 20,
                heapBefore >> 20,
                Runtime.getRuntime().maxMemory() >> 20));
        facts.put("store file", String.format(Locale.ROOT, "%,d MB", storeBytes() >> 20));

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String apiBase = "http://127.0.0.1:" + api.port();
        byte[] body =
            client
                .send(
                    request(apiBase + "/devices/" + deviceId(0) + "/shadow"),
                    HttpResponse.BodyHandlers.ofByteArray())
                .body();
        Javalin bare =
            Javalin.create(c -> c.showJavalinBanner = false)
                .get("/const", ctx -> ctx.contentType("application/json").result(body))
                .start("127.0.0.1", 0);
        try {
          facts.put(
              "response", body.length + " B of JSON (the bare handler answers the same bytes)");
          IntFunction<String> constant = i -> "/const";
          IntFunction<String> shadow = i -> "/devices/" + deviceId(i) + "/shadow";
          // Warm-up (JIT, connections), not reported.
          int warmUp = Math.max(2, seconds / 3);
          measure(bare.port(), "bare", 0, constant, warmUp);
          measure(api.port(), "api", 0, shadow, warmUp);
          for (int r = 1; r <= rounds; r++) {
            loads.add(measure(bare.port(), "bare", r, constant, seconds));
            loads.add(measure(api.port(), "api", r, shadow, seconds));
          }
          listing.putAll(listing(client, apiBase));
        } finally {
          bare.stop();
        }
      }
    }
    write(loads, facts, listing, load);
  }

  private ShadowApiConfig config(String bootstrap) {
    Map<String, String> c = new HashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap);
    c.put("http.host", "127.0.0.1");
    c.put("http.port", "0");
    c.put("auth.api-keys", KEY + "=reader");
    c.put("ratelimit.reader", "0");
    c.put("webhooks.deliver", "false");
    c.put(
        "store.dir",
        Paths.get(System.getProperty("fleetpulse.build.dir", "target"), "bench-api-store")
            .toString());
    return ShadowApiConfig.from(Settings.of(c, ShadowApiConfig.OPTIONS));
  }

  private static void createTopics(String bootstrap) {
    KafkaTestClient client = new KafkaTestClient(bootstrap);
    Map<String, String> compact = Map.of("cleanup.policy", "compact");
    client.createTopics(
        PARTITIONS,
        compact,
        FleetTopics.DEVICES.name(),
        FleetTopics.SHADOWS.name(),
        FleetTopics.WEBHOOKS.name());
    client.createTopics(
        1,
        FleetTopics.SHADOW_DESIRED.name(),
        FleetTopics.ALERTS.name(),
        FleetTopics.COMMANDS.name(),
        FleetTopics.EVENTS_RAW.name(),
        "iot.shadow.responses",
        FleetTopics.ALERT_ACTIONS.name(),
        FleetTopics.TELEMETRY_AGG.name(),
        FleetTopics.WEBHOOKS_DLQ.name());
  }

  static String deviceId(int i) {
    return String.format(Locale.ROOT, "dev-%07d", i);
  }

  /** One device and one shadow per id; returns the shadow bytes written. */
  private long produce(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    AtomicReference<Exception> failure = new AtomicReference<>();
    long bytes = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < shadows; i++) {
        String id = deviceId(i);
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        String device =
            String.format(
                Locale.ROOT,
                "{\"deviceId\":\"%s\",\"type\":\"%s\",\"site\":\"site-%d\",\"firmware\":\"2.4.%d\","
                    + "\"status\":\"ACTIVE\",\"groups\":[\"g-%d\"]}",
                id,
                i % 3 == 0 ? "truck" : "van",
                i % 50,
                i % 7,
                i % 100);
        String shadow =
            String.format(
                Locale.ROOT,
                "{\"state\":{\"desired\":{\"led\":\"on\",\"interval\":30},\"reported\":{\"led\":\"on\","
                    + "\"interval\":30,\"temperature\":%.1f,\"battery\":%d,\"firmware\":\"2.4.%d\"}},"
                    + "\"metadata\":{\"reported\":{\"temperature\":{\"timestamp\":1764331200},"
                    + "\"battery\":{\"timestamp\":1764331200}}},\"version\":%d,"
                    + "\"timestamp\":1764331200}",
                15 + (i % 200) / 10.0,
                i % 100,
                i % 7,
                1 + i % 9);
        byte[] value = shadow.getBytes(StandardCharsets.UTF_8);
        bytes += value.length;
        producer.send(
            new ProducerRecord<>(
                FleetTopics.DEVICES.name(), key, device.getBytes(StandardCharsets.UTF_8)),
            (m, e) -> failure.compareAndSet(null, e));
        producer.send(
            new ProducerRecord<>(FleetTopics.SHADOWS.name(), key, value),
            (m, e) -> failure.compareAndSet(null, e));
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing failed", failure.get());
    }
    return bytes;
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("X-Api-Key", KEY)
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  /** {@code concurrency} connections sending GETs of random devices for {@code secs}. */
  private Load measure(int port, String name, int round, IntFunction<String> path, int secs)
      throws InterruptedException {
    LoopbackLoad.Result r = LoopbackLoad.run(port, KEY, concurrency, secs, shadows, path);
    Load load = new Load(name, round, r.ok(), r.errors(), r.seconds(), r.sortedNanos());
    log(
        "%s round %d: %,.0f requests/s, p50 %.2f ms, p99 %.2f ms, %d errors",
        name, round, load.rate(), load.percentileMs(0.50), load.percentileMs(0.99), load.errors());
    return load;
  }

  /** Median latency (ms) of a few sequential listing requests of each kind. */
  private Map<String, Double> listing(HttpClient client, String base) throws Exception {
    String middle =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(deviceId(shadows / 2).getBytes(StandardCharsets.UTF_8));
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("first page, no filter (`/devices?limit=100`)", "/devices?limit=100");
    queries.put("a page from a cursor in the middle", "/devices?limit=100&cursor=" + middle);
    queries.put(
        "filter matching 1 in 150 (`type=truck&site=site-7`)",
        "/devices?limit=100&type=truck&site=site-7");
    queries.put("filter matching 1 in 100 (`group=g-42`)", "/devices?limit=100&group=g-42");
    queries.put(
        "filter matching none (`site=nowhere`: a scan of every device)",
        "/devices?limit=100&site=nowhere");
    Map<String, Double> medians = new LinkedHashMap<>();
    for (Map.Entry<String, String> q : queries.entrySet()) {
      double[] ms = new double[5];
      for (int i = 0; i < ms.length; i++) {
        long t = System.nanoTime();
        HttpResponse<byte[]> r =
            client.send(request(base + q.getValue()), HttpResponse.BodyHandlers.ofByteArray());
        ms[i] = (System.nanoTime() - t) / 1e6;
        if (r.statusCode() != 200) {
          throw new IllegalStateException(q.getValue() + ": " + r.statusCode());
        }
      }
      Arrays.sort(ms);
      medians.put(q.getKey(), ms[ms.length / 2]);
      log("%s: %.1f ms", q.getKey(), ms[ms.length / 2]);
    }
    return medians;
  }

  private void write(
      List<Load> loads, Map<String, String> facts, Map<String, Double> listing, String loadAtStart)
      throws IOException {
    double bare = median(loads, "bare");
    double api = median(loads, "api");
    StringBuilder md = new StringBuilder();
    md.append("# shadow-api: `GET /devices/{id}/shadow` with ")
        .append(String.format(Locale.ROOT, "%,d", shadows))
        .append(" shadows (")
        .append(LocalDate.now())
        .append(")\n\n");
    md.append(
            "One JVM: embedded Kafka (KRaft), the shadow-api reading `iot.devices` and "
                + "`iot.shadows` into its on-disk view store (H2 MVStore), a bare Javalin handler answering "
                + "the same bytes, and the load generator (LoopbackLoad: ")
        .append(concurrency)
        .append(
            " keep-alive HTTP/1.1 connections, each a closed loop of GETs of random device ids"
                + " with the API key header) on loopback; ")
        .append(rounds)
        .append(" round(s) of ")
        .append(seconds)
        .append(" s per target after a warm-up. Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, load average at start ")
        .append(loadAtStart)
        .append(". `./fleetpulse bench api` (bench/run).\n\n");
    md.append(
        "| target | round | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|\n");
    for (Load l : loads) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %,.0f | %.2f | %.2f | %d |%n",
              l.target(),
              l.round(),
              l.rate(),
              l.percentileMs(0.5),
              l.percentileMs(0.99),
              l.errors()));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%n**Median requests/s: API %,.0f, bare handler %,.0f: " + "ratio %.2f.**%n%n",
            api,
            bare,
            api / bare));
    for (Map.Entry<String, String> f : facts.entrySet()) {
      md.append("- ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
    }
    md.append(
        "\n`GET /devices` (median of 5 sequential requests; the registry is one sorted map "
            + "in the store, filters scan it from the cursor and decode each device, no index):\n\n"
            + "| request | ms |\n|---|---|\n");
    listing.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.1f |%n", k, v)));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, md.toString());
    StringBuilder csv =
        new StringBuilder(
            "target,round,requests,seconds,requests_per_s,p50_ms," + "p99_ms,errors\n");
    for (Load l : loads) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%s,%d,%d,%.3f,%.1f,%.3f,%.3f,%d%n",
              l.target(),
              l.round(),
              l.requests(),
              l.seconds(),
              l.rate(),
              l.percentileMs(0.5),
              l.percentileMs(0.99),
              l.errors()));
    }
    String stem = out.toString().substring(0, out.toString().length() - ".md".length());
    Files.writeString(Paths.get(stem + ".csv"), csv.toString());
    Map<String, Double> bars = new LinkedHashMap<>();
    bars.put("bare Javalin handler", bare);
    bars.put("GET /devices/{id}/shadow", api);
    BenchCharts.bars(
        Paths.get(stem + ".png"),
        String.format(
            Locale.ROOT,
            "shadow-api, %,d shadows: median requests/s (ratio %.2f)",
            shadows,
            api / bare),
        "target",
        "median requests/s",
        bars);
    log("wrote %s (+ .csv, .png)", out);
  }

  private static double median(List<Load> loads, String target) {
    double[] rates =
        loads.stream()
            .filter(l -> l.target().equals(target))
            .mapToDouble(Load::rate)
            .sorted()
            .toArray();
    return rates.length == 0 ? Double.NaN : rates[rates.length / 2];
  }

  private static long storeBytes() throws IOException {
    Path dir = Paths.get(System.getProperty("fleetpulse.build.dir", "target"), "bench-api-store");
    try (var files = Files.list(dir)) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static long heapUsed() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static double secondsSince(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "bench api: " + format + "%n", args);
  }
}
