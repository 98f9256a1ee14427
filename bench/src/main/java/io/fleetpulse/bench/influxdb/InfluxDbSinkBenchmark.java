package io.fleetpulse.bench.influxdb;

import com.influxdb.client.write.Point;
import io.fleetpulse.connectors.influxdb.InfluxDbSink;
import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import io.fleetpulse.connectors.influxdb.PointConverter;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.jobs.influx.ExtraTags;
import io.fleetpulse.jobs.influx.TelemetryPoints;
import io.fleetpulse.model.TelemetryAggregate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * InfluxDB sink throughput next to a plain loop that posts the same lines to the same influxd, in
 * the same run: each round writes the same aggregates into a fresh database, first by the loop,
 * then by a Flink job with the sink.
 *
 * <p>Usage: {@code InfluxDbSinkBenchmark [points] [rounds] [--out FILE]}; the markdown report goes
 * to stdout and, with {@code --out}, is appended to FILE.
 */
public final class InfluxDbSinkBenchmark {

  private static final long T0 = 1_764_331_200_000L;
  private static final int DEVICES = 10_000;
  private static final int BATCH = 5_000;
  private static final PointConverter<TelemetryAggregate> CONVERTER =
      TelemetryPoints.aggregates(ExtraTags.none());

  private InfluxDbSinkBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> positional = new ArrayList<>();
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      if ("--out".equals(args[i])) {
        out = Paths.get(args[++i]);
      } else {
        positional.add(args[i]);
      }
    }
    int points = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 500_000;
    int rounds = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 3;

    String loadBefore = loadAverage();
    try (InfluxDbProcess influx = InfluxDbProcess.start(BuildDirs.fresh("bench-influxdb"))) {
      // Warm-up: JIT, HTTP connections, influxd's first shard.
      plainLoop(influx, "warmup_plain", points / 5);
      sinkJob(influx, "warmup_sink", points / 5);

      prebuiltLoop(influx, "warmup_prebuilt", points / 5);

      List<Double> plain = new ArrayList<>();
      List<Double> prebuilt = new ArrayList<>();
      List<Double> sink = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        plain.add(plainLoop(influx, "plain_" + round, points));
        prebuilt.add(prebuiltLoop(influx, "prebuilt_" + round, points));
        sink.add(sinkJob(influx, "sink_" + round, points));
        System.err.printf(
            "round %d: plain %.0f, prebuilt %.0f, sink %.0f points/s%n",
            round, plain.get(round - 1), prebuilt.get(round - 1), sink.get(round - 1));
      }
      String report =
          report(points, rounds, plain, prebuilt, sink)
              + "Load average (1, 5, 15 min) before: "
              + loadBefore
              + "; after: "
              + loadAverage()
              + ".\n\n";
      System.out.print(report);
      if (out != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
    }
  }

  /** The aggregate number {@code i}: 10,000 devices, one-minute windows. */
  static TelemetryAggregate aggregate(long i) {
    double v = 20 + (i % 100) / 8.0;
    return new TelemetryAggregate(
        "d-" + (i % DEVICES),
        "temperature",
        T0 + (i / DEVICES) * 60_000,
        T0 + (i / DEVICES + 1) * 60_000,
        6,
        v - 1.5,
        v + 1.5,
        v,
        v + 0.25,
        T0 + (i / DEVICES) * 60_000 + 59_000);
  }

  /** One thread: convert a batch with the same converter, post it, wait, repeat. */
  private static double plainLoop(InfluxDbProcess influx, String database, int points)
      throws IOException, InterruptedException {
    influx.createDatabase(database);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI uri = URI.create(influx.url() + "/write?db=" + database + "&precision=ms");
    long began = System.nanoTime();
    StringBuilder body = new StringBuilder();
    int inBatch = 0;
    for (long i = 0; i < points; i++) {
      for (Point point : CONVERTER.toPoints(aggregate(i))) {
        if (inBatch > 0) {
          body.append('\n');
        }
        body.append(point.toLineProtocol());
        inBatch++;
      }
      if (inBatch >= BATCH || i == points - 1) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(uri)
                    .POST(
                        HttpRequest.BodyPublishers.ofByteArray(
                            body.toString().getBytes(StandardCharsets.UTF_8)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 204) {
          throw new IOException(
              "plain loop: HTTP " + response.statusCode() + " " + response.body());
        }
        body.setLength(0);
        inBatch = 0;
      }
    }
    double rate = points / ((System.nanoTime() - began) / 1e9);
    verify(influx, database, points);
    return rate;
  }

  /** One thread posting request bodies built before the clock starts: influxd's own pace. */
  private static double prebuiltLoop(InfluxDbProcess influx, String database, int points)
      throws IOException, InterruptedException {
    influx.createDatabase(database);
    List<byte[]> bodies = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (long i = 0; i < points; i++) {
      if (body.length() > 0) {
        body.append('\n');
      }
      body.append(CONVERTER.toPoints(aggregate(i)).get(0).toLineProtocol());
      if ((i + 1) % BATCH == 0 || i == points - 1) {
        bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
        body.setLength(0);
      }
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI uri = URI.create(influx.url() + "/write?db=" + database + "&precision=ms");
    long began = System.nanoTime();
    for (byte[] b : bodies) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(b)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 204) {
        throw new IOException(
            "prebuilt loop: HTTP " + response.statusCode() + " " + response.body());
      }
    }
    double rate = points / ((System.nanoTime() - began) / 1e9);
    verify(influx, database, points);
    return rate;
  }

  /** A Flink job, parallelism 1: a sequence mapped to aggregates, into the sink. */
  private static double sinkJob(InfluxDbProcess influx, String database, int points)
      throws Exception {
    influx.createDatabase(database);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.getConfig().enableObjectReuse();
    env.fromSequence(0, points - 1)
        .map(InfluxDbSinkBenchmark::aggregate)
        .sinkTo(
            InfluxDbSink.<TelemetryAggregate>builder()
                .options(
                    InfluxDbSinkOptions.builder()
                        .url(influx.url())
                        .v1(database)
                        .batchSize(BATCH)
                        .maxInFlightRequests(2)
                        .build())
                .pointConverter(CONVERTER)
                .build());
    JobExecutionResult result = env.execute("InfluxDB sink benchmark");
    double rate = points / (result.getNetRuntime() / 1e3);
    verify(influx, database, points);
    return rate;
  }

  private static void verify(InfluxDbProcess influx, String database, int points) {
    List<Map<String, Object>> rows =
        influx.query(database, "SELECT count(\"count\") FROM telemetry_agg");
    long written = rows.isEmpty() ? 0 : ((Number) rows.get(0).get("count")).longValue();
    if (written != points) {
      throw new IllegalStateException(database + ": " + written + " of " + points + " points");
    }
    // Every run then starts from an influxd holding no other data.
    influx.dropDatabase(database);
  }

  private static String report(
      int points, int rounds, List<Double> plain, List<Double> prebuilt, List<Double> sink) {
    double plainMedian = median(plain);
    double prebuiltMedian = median(prebuilt);
    double sinkMedian = median(sink);
    StringBuilder s = new StringBuilder();
    s.append("## InfluxDB sink throughput (").append(LocalDate.now()).append(")\n\n");
    s.append(
        String.format(
            "%,d `telemetry_agg` points (10,000 devices) per run into a fresh database of one"
                + " real influxd %s on this machine (%d cores); batches of %,d; %d rounds after"
                + " a warm-up, every run checked by `SELECT count`.%n%n",
            points, influxVersion(), Runtime.getRuntime().availableProcessors(), BATCH, rounds));
    s.append("| writer | points/s (median) | runs |\n|---|---:|---|\n");
    s.append(
        String.format(
            "| plain loop: convert with `Point`, POST `/write`, wait, repeat (1 thread) | %,.0f | %s |%n",
            plainMedian, runs(plain)));
    s.append(
        String.format(
            "| plain loop posting bodies built before timing (influxd's own pace) | %,.0f | %s |%n",
            prebuiltMedian, runs(prebuilt)));
    s.append(
        String.format(
            "| Flink job, `InfluxDbSink` (p=1, 2 requests in flight), job net runtime | %,.0f | %s |%n",
            sinkMedian, runs(sink)));
    s.append(
        String.format(
            "%n**Sink / plain loop: %.2f** (target ≥ 0.80); sink / prebuilt-bodies loop: %.2f.%n%n",
            sinkMedian / plainMedian, sinkMedian / prebuiltMedian));
    s.append(
        "The sink's time is the Flink job's net runtime (scheduling included, MiniCluster start"
            + " excluded); the loops' time is their write loop. Runs alternate within each round"
            + " and each database is dropped after its run, so influxd's state weighs on all"
            + " alike.\n\n");
    return s.toString();
  }

  private static String runs(List<Double> rates) {
    List<String> shown = new ArrayList<>();
    rates.forEach(r -> shown.add(String.format("%,.0f", r)));
    return String.join(", ", shown);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The machine is shared: say how busy it was. */
  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Paths.get("/proc/loadavg")).split(" ");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String influxVersion() {
    try {
      Process p = new ProcessBuilder("influxd", "version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor();
      return "(" + v.replaceAll("\\s*\\(.*", "") + ")";
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }
}
