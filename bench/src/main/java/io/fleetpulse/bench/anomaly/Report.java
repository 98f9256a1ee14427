package io.fleetpulse.bench.anomaly;

import static io.fleetpulse.bench.anomaly.AnomalyJobBenchmark.median;
import static io.fleetpulse.bench.anomaly.AnomalyJobBenchmark.percentile;

import io.fleetpulse.bench.BridgeThroughputBench;
import io.fleetpulse.bench.telemetry.BenchCharts;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;

/** The benchmark's markdown report, CSV and charts. */
final class Report {

  /** Where the p99 should be. */
  static final double GOAL_P99_MS = 300;

  private static final double[] PERCENTILES = {50, 95, 99};

  private Report() {}

  static String markdown(
      AlertLatency.Plan plan,
      List<AlertLatency.Result> latencies,
      int records,
      int rounds,
      Map<JobThroughput.Variant, List<JobThroughput.Run>> runs,
      String notes,
      String loadAtStart,
      String loadAtEnd,
      double totalSeconds) {
    StringBuilder md = new StringBuilder();
    md.append("# AnomalyJob: alert latency and throughput, ")
        .append(LocalDate.now())
        .append("\n\n");
    md.append("## Alert latency: MQTT publish → OPEN alert readable on the alerts topic\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Path: a QoS 1 publish → Mosquitto %s (a process) → the MQTT bridge"
                + " (`connectors/mqtt-bridge`, `mqtt.receive-maximum=65535`) → an in-JVM Kafka"
                + " broker (KRaft) → AnomalyJob (`AnomalyJob.kafkaJob`, as `main` wires it; local"
                + " MiniCluster, p=%d, heap state, all five detector kinds of the rules file) →"
                + " the alerts topic → a `read_committed` consumer in the same JVM. Background:"
                + " %,d msg/s of telemetry (2 metrics) from %,d devices over %d MQTT connections,"
                + " raising no alert. Probes: %d/s, each a breaching reading (`temperature` 95 >"
                + " `max` 80 of the THRESHOLD rule `hot`) of a device of its own; latency = the"
                + " probe's OPEN alert read − the publish call, both `System.nanoTime()` of this"
                + " JVM. Each setting runs on fresh topics, bridge and job: first alert, %d s of"
                + " warm-up probes, then %d s measured. \"bridge\" = publish → the probe's record"
                + " read from the raw topic; \"job\" = that → its alert read.%n%n",
            BridgeThroughputBench.mosquittoVersion(),
            plan.parallelism(),
            plan.backgroundPerSecond(),
            plan.devices(),
            plan.connections(),
            plan.probesPerSecond(),
            plan.warmUp().toSeconds(),
            plan.measure().toSeconds()));
    md.append(
        "| setting | p50 ms | p95 ms | p99 ms | max ms | probes | lost | bridge p50 / p99 ms |"
            + " job p50 / p99 ms | background msg/s | first alert after submit s |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (AlertLatency.Result r : latencies) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.0f | %.0f | %.0f | %d | %d | %.0f / %.0f | %.0f / %.0f | %,.0f |"
                  + " %.1f |%n",
              r.setup().label(),
              percentile(r.endToEnd(), 50),
              percentile(r.endToEnd(), 95),
              percentile(r.endToEnd(), 99),
              percentile(r.endToEnd(), 100),
              r.probes(),
              r.lost(),
              percentile(r.toRaw(), 50),
              percentile(r.toRaw(), 99),
              percentile(r.rawToAlert(), 50),
              percentile(r.rawToAlert(), 99),
              r.backgroundRate(),
              r.jobStartMillis() / 1000.0));
    }
    AlertLatency.Result defaults = latencies.get(0);
    double p99 = percentile(defaults.endToEnd(), 99);
    md.append(
        String.format(
            Locale.ROOT,
            "%n**Goal p99 < %.0f ms with the job's defaults: %s** (p99 %.0f ms, %d lost of %d).%n",
            GOAL_P99_MS,
            p99 < GOAL_P99_MS && defaults.lost() == 0 ? "met" : "not met",
            p99,
            defaults.lost(),
            defaults.probes()));

    md.append("\n## Throughput: all detectors vs detectors passed through\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d readings (2 metrics) of 10,000 devices, %d partitions, pre-filled once; each"
                + " run reads all of them with bounded Kafka sources (telemetry, registry,"
                + " signals, actions) into a counting alert sink; local MiniCluster, p=%d, heap"
                + " state, checkpointing off, object reuse. The data breaches the THRESHOLD and"
                + " RAPID_CHANGE rules once every 40 readings per device and, on some devices,"
                + " RISING, STUCK_SENSOR and METRIC_MISSING. Time = Flink's net runtime (job"
                + " submitted to finished). One warm-up run of each, then %d rounds, each"
                + " running both, in table order.%n%n",
            records,
            JobThroughput.PARTITIONS,
            AnomalyJobBenchmark.PARALLELISM,
            rounds));
    md.append("| job | median records/s | min | max | × pass-through |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    double baseline = median(rates(records, runs.get(JobThroughput.Variant.PASS_THROUGH)));
    for (JobThroughput.Variant variant : JobThroughput.Variant.values()) {
      List<Double> rates = rates(records, runs.get(variant));
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %,.0f | %,.0f | %.2f |%n",
              variant.label,
              median(rates),
              Collections.min(rates),
              Collections.max(rates),
              median(rates) / baseline));
    }
    double detectors = median(rates(records, runs.get(JobThroughput.Variant.DETECTORS)));
    md.append(
        String.format(
            Locale.ROOT,
            "%n**Detectors / pass-through: %.2f** (medians; %,.0f vs %,.0f records/s).%n%n",
            detectors / baseline,
            detectors,
            baseline));
    md.append(notes).append('\n');
    md.append("## Machine\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "- %d cores, shared with other work; load average (1, 5, 15 min) at start %s, at the"
                + " end %s.%n"
                + "- Java %s, max heap %,d MB; Kafka, the bridge, the publishers, the consumer"
                + " and the MiniCluster share this JVM; Mosquitto is a process of its own.%n"
                + "- Total run time %.0f s.%n",
            Runtime.getRuntime().availableProcessors(),
            loadAtStart,
            loadAtEnd,
            System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() / (1024 * 1024),
            totalSeconds));
    return md.toString();
  }

  /** Latency percentiles per setting, then throughput per variant and round. */
  static String csv(
      List<AlertLatency.Result> latencies,
      int records,
      Map<JobThroughput.Variant, List<JobThroughput.Run>> runs) {
    StringBuilder csv = new StringBuilder("part,setting,measure,value\n");
    for (AlertLatency.Result r : latencies) {
      for (double p : PERCENTILES) {
        row(csv, "latency", r.setup().name(), "p" + (int) p + "_ms", percentile(r.endToEnd(), p));
      }
      row(csv, "latency", r.setup().name(), "max_ms", percentile(r.endToEnd(), 100));
      row(csv, "latency", r.setup().name(), "bridge_p50_ms", percentile(r.toRaw(), 50));
      row(csv, "latency", r.setup().name(), "job_p50_ms", percentile(r.rawToAlert(), 50));
      row(csv, "latency", r.setup().name(), "probes", r.probes());
      row(csv, "latency", r.setup().name(), "lost", r.lost());
      row(csv, "latency", r.setup().name(), "background_msg_per_s", r.backgroundRate());
    }
    for (JobThroughput.Variant variant : JobThroughput.Variant.values()) {
      List<JobThroughput.Run> list = runs.get(variant);
      for (int i = 0; i < list.size(); i++) {
        row(
            csv,
            "throughput",
            variant.name(),
            "round" + (i + 1) + "_records_per_s",
            records / list.get(i).seconds());
      }
    }
    return csv.toString();
  }

  private static void row(
      StringBuilder csv, String part, String setting, String measure, double v) {
    csv.append(String.format(Locale.ROOT, "%s,%s,%s,%.1f%n", part, setting, measure, v));
  }

  /** Latency percentiles per setting (ms), and median throughput per variant. */
  static List<CategoryChart> charts(
      List<AlertLatency.Result> latencies,
      int records,
      Map<JobThroughput.Variant, List<JobThroughput.Run>> runs) {
    List<String> settings = new ArrayList<>();
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (double p : PERCENTILES) {
      series.put("p" + (int) p, new ArrayList<>());
    }
    for (AlertLatency.Result r : latencies) {
      settings.add(r.setup().name());
      for (double p : PERCENTILES) {
        double ms = percentile(r.endToEnd(), p);
        // A failed setting has no latencies: a bar of 0, its failure is in the report.
        series.get("p" + (int) p).add(Double.isNaN(ms) ? 0 : ms);
      }
    }
    CategoryChart latency =
        BenchCharts.bars(
            "MQTT publish → alert on Kafka (goal p99 < 300 ms)",
            "setting",
            "latency ms",
            settings,
            series);
    List<String> variants = new ArrayList<>();
    List<Double> medians = new ArrayList<>();
    for (JobThroughput.Variant variant : JobThroughput.Variant.values()) {
      variants.add(variant.name());
      medians.add(median(rates(records, runs.get(variant))));
    }
    CategoryChart throughput =
        BenchCharts.bars(
            "AnomalyJob throughput, " + records + " records",
            "job",
            "median records/s",
            variants,
            Map.of("records/s", medians));
    throughput.getStyler().setLegendVisible(false);
    return List.of(latency, throughput);
  }

  private static List<Double> rates(int records, List<JobThroughput.Run> runs) {
    List<Double> rates = new ArrayList<>();
    for (JobThroughput.Run run : runs) {
      rates.add(records / run.seconds());
    }
    return rates;
  }
}
