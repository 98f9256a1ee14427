package io.fleetpulse.bench.anomaly;

import io.fleetpulse.bench.telemetry.BenchCharts;
import io.fleetpulse.bench.telemetry.TelemetryJobBenchmark;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The AnomalyJob benchmark, in one JVM and one run: (1) alert latency, MQTT publish of a breaching
 * reading to its OPEN alert readable on the alerts topic, through Mosquitto (a process), the MQTT
 * bridge, an in-JVM Kafka broker and the job on a local MiniCluster, under paced background
 * telemetry of many devices, for a few settings of the job; (2) the job's throughput over a
 * pre-filled topic with all detectors and with the detectors passed through.
 *
 * <p>Usage: {@code AnomalyJobBenchmark [--quick] [--out FILE] [--records N] [--rounds N] [--measure
 * SECONDS] [--rate N]}; the markdown report goes to stdout and, with {@code --out}, to FILE, with a
 * {@code .csv} and a {@code .png} beside it.
 */
public final class AnomalyJobBenchmark {

  /** The rules of both parts: every detector kind on the temperature and battery metrics. */
  static final String RULES =
      "{\"rules\":["
          + "{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"temperature\",\"max\":80,"
          + "\"clearMax\":75,\"severity\":\"CRITICAL\"},"
          + "{\"name\":\"climbing\",\"kind\":\"RISING\",\"metric\":\"temperature\",\"count\":5,"
          + "\"clearAfter\":\"5m\"},"
          + "{\"name\":\"jump\",\"kind\":\"RAPID_CHANGE\",\"metric\":\"temperature\",\"delta\":30,"
          + "\"within\":\"30s\",\"clearAfter\":\"5m\"},"
          + "{\"name\":\"frozen\",\"kind\":\"STUCK_SENSOR\",\"metric\":\"temperature\","
          + "\"count\":10,\"for\":\"1m\",\"clearAfter\":\"30m\"},"
          + "{\"name\":\"no-battery\",\"kind\":\"METRIC_MISSING\",\"metric\":\"battery\","
          + "\"for\":\"1m\"}]}";

  static final int PARALLELISM = 2;

  private AnomalyJobBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Path out = null;
    Integer records = null;
    Integer rounds = null;
    Integer measure = null;
    Integer rate = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--out" -> out = Paths.get(args[++i]);
        case "--records" -> records = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--measure" -> measure = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    AlertLatency.Plan plan =
        new AlertLatency.Plan(
            Duration.ofSeconds(quick ? 3 : 10),
            Duration.ofSeconds(measure != null ? measure : quick ? 10 : 40),
            25,
            // Quick: a smoke run of the path, light enough for a loaded machine.
            rate != null ? rate : quick ? 1_000 : 5_000,
            1_000,
            50,
            PARALLELISM);
    int recordCount = records != null ? records : quick ? 100_000 : 400_000;
    int roundCount = rounds != null ? rounds : quick ? 1 : 3;
    String loadAtStart = TelemetryJobBenchmark.loadAverage();
    long began = System.nanoTime();

    Path work = BuildDirs.fresh("bench-anomaly");
    Path rules = work.resolve("rules.json");
    Files.writeString(rules, RULES);
    List<AlertLatency.Result> latencies = new ArrayList<>();
    Map<JobThroughput.Variant, List<JobThroughput.Run>> runs =
        new EnumMap<>(JobThroughput.Variant.class);
    StringBuilder notes = new StringBuilder();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(BuildDirs.fresh("bench-anomaly-kafka"));
        MosquittoBroker broker = MosquittoBroker.start(BuildDirs.fresh("bench-anomaly-mqtt"))) {
      KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers());
      AlertLatency.createSharedTopics(client);
      AlertLatency latency = new AlertLatency(kafka.bootstrapServers(), broker, rules, work, plan);
      for (AlertLatency.Setup setup : setups()) {
        AlertLatency.Result result;
        try {
          result = latency.run(setup, client);
        } catch (IllegalStateException e) {
          // One setting that never got going (a machine too loaded, say) still leaves the others.
          AlertLatency.log("%s failed: %s", setup.name(), e.getMessage());
          notes.append(
              String.format("- Latency setting `%s` failed: %s%n", setup.name(), e.getMessage()));
          result = AlertLatency.Result.failed(setup);
        }
        latencies.add(result);
        AlertLatency.log(
            "%s: p50 %.0f ms, p99 %.0f ms (%d probes, %d lost)",
            setup.name(),
            percentile(result.endToEnd(), 50),
            percentile(result.endToEnd(), 99),
            result.probes(),
            result.lost());
      }

      long t = System.nanoTime();
      JobThroughput.produce(client, recordCount, 10_000);
      AlertLatency.log(
          "produced %,d records in %.1f s", recordCount, (System.nanoTime() - t) / 1e9);
      JobThroughput throughput = new JobThroughput(kafka.bootstrapServers(), rules, PARALLELISM);
      for (JobThroughput.Variant variant : JobThroughput.Variant.values()) {
        JobThroughput.Run warm = throughput.run(variant);
        AlertLatency.log(
            "warm-up %s: %,.0f records/s, %,d alerts",
            variant, recordCount / warm.seconds(), warm.alerts());
        notes.append(
            String.format(
                Locale.ROOT,
                "- Check (warm-up, counting alert sink): %s wrote %,d alert transitions.%n",
                variant.label,
                warm.alerts()));
        boolean expectAlerts = variant == JobThroughput.Variant.DETECTORS;
        if ((warm.alerts() > 0) != expectAlerts) {
          throw new IllegalStateException(variant + " wrote " + warm.alerts() + " alerts");
        }
      }
      for (int round = 1; round <= roundCount; round++) {
        for (JobThroughput.Variant variant : JobThroughput.Variant.values()) {
          System.gc();
          JobThroughput.Run run = throughput.run(variant);
          runs.computeIfAbsent(variant, v -> new ArrayList<>()).add(run);
          AlertLatency.log(
              "round %d %s: %,.0f records/s", round, variant, recordCount / run.seconds());
        }
      }
    }
    String report =
        Report.markdown(
            plan,
            latencies,
            recordCount,
            roundCount,
            runs,
            notes.toString(),
            loadAtStart,
            TelemetryJobBenchmark.loadAverage(),
            (System.nanoTime() - began) / 1e9);
    System.out.print(report);
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Path csv = TelemetryJobBenchmark.sibling(out, ".csv");
      Path png = TelemetryJobBenchmark.sibling(out, ".png");
      Files.writeString(csv, Report.csv(latencies, recordCount, runs));
      BenchCharts.save(png, Report.charts(latencies, recordCount, runs));
      Files.writeString(
          out,
          report
              + String.format(
                  "%nData: [`%1$s`](%1$s); chart:%n%n![latency percentiles and throughput](%2$s)%n",
                  csv.getFileName(), png.getFileName()));
    }
    System.exit(0);
  }

  /** The settings measured, in order; the job's defaults first. */
  static List<AlertLatency.Setup> setups() {
    return List.of(
        new AlertLatency.Setup(
            "defaults",
            "the job's defaults (AT_LEAST_ONCE, buffer timeout 10 ms, checkpoints every 30 s)",
            List.of()),
        new AlertLatency.Setup(
            "buffer-100ms",
            "defaults but buffer timeout 100 ms (Flink's default)",
            List.of("--anomaly.buffer-timeout", "100ms")),
        new AlertLatency.Setup(
            "exactly-once-1s",
            "EXACTLY_ONCE, checkpoints every 1 s",
            List.of("--kafka.delivery.guarantee", "EXACTLY_ONCE", "--checkpoint.interval", "1s")));
  }

  /** Nearest-rank percentile of nanosecond values, in milliseconds. */
  static double percentile(List<Long> nanos, double p) {
    if (nanos.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.size());
    return sorted.get(Math.max(0, rank - 1)) / 1e6;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
