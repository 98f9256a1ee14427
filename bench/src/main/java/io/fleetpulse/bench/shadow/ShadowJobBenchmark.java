package io.fleetpulse.bench.shadow;

import io.fleetpulse.bench.telemetry.BenchCharts;
import io.fleetpulse.bench.telemetry.TelemetryJobBenchmark;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.shadow.ShadowJob;
import io.fleetpulse.jobs.shadow.ShadowJobConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * ShadowJob on RocksDB next to a plain in-memory map applying the same updates with the same {@code
 * ShadowStep}, in one JVM and one run, for each fleet size.
 *
 * <p>Per fleet size: the request topic is filled once ({@code passes} updates per device). Each
 * processor (the map service, then the ShadowJob as {@code ShadowJob.kafkaJob} wires it, Kafka in
 * and out, RocksDB, checkpoints) reads it from the start; updates/s = pre-filled updates / time
 * between the first and the last {@code update/accepted} on {@code iot.shadow.responses}. Then a
 * paced stream of small updates to existing devices goes to the desired topic and each one's time
 * from send to its {@code update/accepted} arriving at a consumer is taken. For the job, the first
 * checkpoint completed after that (the full state of the fleet) gives size and duration.
 *
 * <p>Usage: {@code ShadowJobBenchmark [--quick] [--devices 100000,1000000] [--passes 3,1]
 * [--paced-rate N] [--paced-seconds N] [--checkpoint-interval 10s] [--out FILE]}.
 */
public final class ShadowJobBenchmark {

  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(6);
  private static final int PARTITIONS = 2;

  private ShadowJobBenchmark() {}

  /** What one processor did on one fleet. */
  record Run(
      String processor,
      int devices,
      long updates,
      double updatesPerSecond,
      double wallSeconds,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      int pacedSamples,
      Checkpoints checkpoints,
      double documentBytes) {}

  /** The job's checkpoints: the last completed (full state) and the run's maximum duration. */
  record Checkpoints(
      long completed, long stateBytes, long checkpointedBytes, long lastMillis, long maxMillis) {}

  public static void main(String[] args) throws Exception {
    int[] devices = {100_000, 1_000_000};
    int[] passes = {3, 1};
    int pacedRate = 1000;
    int pacedSeconds = 10;
    Duration checkpointInterval = Duration.ofSeconds(10);
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> {
          devices = new int[] {10_000, 50_000};
          passes = new int[] {3, 2};
          pacedRate = 500;
          pacedSeconds = 4;
          checkpointInterval = Duration.ofSeconds(3);
        }
        case "--devices" -> devices = ints(args[++i]);
        case "--passes" -> passes = ints(args[++i]);
        case "--paced-rate" -> pacedRate = Integer.parseInt(args[++i]);
        case "--paced-seconds" -> pacedSeconds = Integer.parseInt(args[++i]);
        case "--checkpoint-interval" ->
            checkpointInterval = Duration.ofSeconds(Long.parseLong(args[++i].replace("s", "")));
        case "--out" -> out = Paths.get(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (passes.length != devices.length) {
      throw new IllegalArgumentException("--passes needs one value per --devices value");
    }
    String loadAtStart = TelemetryJobBenchmark.loadAverage();
    long began = System.nanoTime();
    List<Run> runs = new ArrayList<>();
    StringBuilder notes = new StringBuilder();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(BuildDirs.fresh("bench-shadow-kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      for (int f = 0; f < devices.length; f++) {
        int n = devices[f];
        String requests = "bench.shadow." + n + ".requests";
        new KafkaTestClient(bootstrap).createTopics(PARTITIONS, requests);
        long t = System.nanoTime();
        long bytes = ShadowBenchData.produce(bootstrap, requests, n, passes[f]);
        long updates = (long) n * passes[f];
        log(
            "%,d devices: produced %,d updates (%.0f B average) in %.1f s",
            n, updates, (double) bytes / updates, seconds(System.nanoTime() - t));
        notes.append(
            String.format(
                Locale.ROOT,
                "- %,d devices: %,d pre-filled updates of %.0f B on average (%d partitions).%n",
                n,
                updates,
                (double) bytes / updates,
                PARTITIONS));
        for (String processor : List.of("map", "rocksdb")) {
          System.gc();
          Run run =
              measure(
                  bootstrap,
                  processor,
                  n,
                  updates,
                  requests,
                  pacedRate,
                  pacedSeconds,
                  checkpointInterval);
          runs.add(run);
          log("%s", run);
        }
      }
    }
    String report =
        report(
            runs,
            notes.toString(),
            pacedRate,
            pacedSeconds,
            checkpointInterval,
            loadAtStart,
            seconds(System.nanoTime() - began));
    System.out.print(report);
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Path csv = TelemetryJobBenchmark.sibling(out, ".csv");
      Path png = TelemetryJobBenchmark.sibling(out, ".png");
      Files.writeString(csv, csv(runs));
      Map<String, Double> bars = new LinkedHashMap<>();
      for (Run r : runs) {
        bars.put(
            String.format(Locale.ROOT, "%s %,d", r.processor(), r.devices()),
            (double) Math.round(r.updatesPerSecond()));
      }
      BenchCharts.bars(
          png,
          "Shadow updates/s: in-memory map vs ShadowJob on RocksDB",
          "processor, devices",
          "updates/s",
          bars);
      Files.writeString(
          out,
          report
              + "\nData: [`"
              + csv.getFileName()
              + "`]("
              + csv.getFileName()
              + "); chart:\n\n![updates/s per processor and fleet size]("
              + png.getFileName()
              + ")\n");
    }
  }

  private static Run measure(
      String bootstrap,
      String processor,
      int devices,
      long updates,
      String requests,
      int pacedRate,
      int pacedSeconds,
      Duration checkpointInterval)
      throws Exception {
    String prefix = "bench.shadow." + devices + "." + processor + ".";
    String paced = prefix + "paced";
    String documents = prefix + "shadows";
    String delta = prefix + "delta";
    String responses = prefix + "responses";
    String dlq = prefix + "dlq";
    new KafkaTestClient(bootstrap).createTopics(PARTITIONS, paced, delta, responses, dlq);
    new KafkaTestClient(bootstrap)
        .createTopics(PARTITIONS, Map.of("cleanup.policy", "compact"), documents);
    int pacedCount = pacedRate * pacedSeconds;
    try (ResponseWatcher watcher = new ResponseWatcher(bootstrap, responses, pacedCount)) {
      long started = System.nanoTime();
      if (processor.equals("map")) {
        try (MapShadowService service =
            new MapShadowService(
                bootstrap, List.of(requests, paced), documents, delta, responses)) {
          service.start();
          awaitDrained(watcher, updates, service::failure);
          double wall = seconds(System.nanoTime() - started);
          long[] latencies =
              pace(bootstrap, paced, devices, pacedRate, pacedCount, watcher, service::failure);
          service.close();
          if (service.size() != devices) {
            throw new IllegalStateException(service.size() + " shadows in the map, not " + devices);
          }
          return run(
              processor,
              devices,
              updates,
              watcher,
              wall,
              latencies,
              null,
              service.averageDocumentChars());
        }
      }
      Path checkpoints = BuildDirs.fresh("bench-shadow-checkpoints");
      ShadowJobConfig config =
          ShadowJobConfig.load(
              new String[] {
                "--kafka.bootstrap.servers", bootstrap,
                "--kafka.group.id", "bench-" + prefix,
                "--topic.shadow.reported", requests,
                "--topic.shadow.desired", paced,
                "--topic.shadows", documents,
                "--topic.shadow.delta", delta,
                "--topic.shadow.responses", responses,
                "--topic.shadow.dlq", dlq,
                "--state.backend", "ROCKSDB",
                "--checkpoint.interval", checkpointInterval.toSeconds() + "s",
                "--checkpoint.dir", checkpoints.toUri().toString()
              },
              Map.of());
      Configuration conf = ShadowJob.flinkConfiguration(config);
      conf.set(RestOptions.BIND_PORT, "0");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
      // A TaskManager slot's share as on a small production TaskManager: RocksDB's block cache and
      // write buffers live in managed memory.
      conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("512m"));
      MiniCluster cluster =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(conf)
                  .setNumTaskManagers(1)
                  .setNumSlotsPerTaskManager(1)
                  .build());
      cluster.start();
      try {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        ShadowJob.kafkaJob(config).build(env);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        JobID job = cluster.submitJob(graph).get().getJobID();
        BooleanSupplier failed = () -> cluster.getJobStatus(job).join().isGloballyTerminalState();
        awaitDrained(
            watcher,
            updates,
            () -> failed.getAsBoolean() ? new IllegalStateException("job ended") : null);
        double wall = seconds(System.nanoTime() - started);
        long[] latencies =
            pace(bootstrap, paced, devices, pacedRate, pacedCount, watcher, () -> null);
        AccessExecutionGraph graphInfo = cluster.getExecutionGraph(job).get();
        String backend = graphInfo.getStateBackendName().orElse("?");
        if (!backend.contains("RocksDB")) {
          throw new IllegalStateException("the job runs on " + backend + ", not RocksDB");
        }
        long after = System.currentTimeMillis();
        CompletedCheckpointStats last = null;
        long deadline = System.nanoTime() + checkpointInterval.multipliedBy(6).toNanos();
        while (System.nanoTime() < deadline) {
          CompletedCheckpointStats c =
              cluster
                  .getExecutionGraph(job)
                  .get()
                  .getCheckpointStatsSnapshot()
                  .getHistory()
                  .getLatestCompletedCheckpoint();
          if (c != null && c.getTriggerTimestamp() > after) {
            last = c;
            break;
          }
          Thread.sleep(200);
        }
        if (last == null) {
          throw new IllegalStateException("no checkpoint completed after the paced phase");
        }
        CheckpointStatsSnapshot stats =
            cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot();
        Checkpoints cp =
            new Checkpoints(
                stats.getCounts().getNumberOfCompletedCheckpoints(),
                last.getStateSize(),
                last.getCheckpointedSize(),
                last.getEndToEndDuration(),
                stats.getSummaryStats().getEndToEndDurationStats().getMaximum());
        cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
        return run(processor, devices, updates, watcher, wall, latencies, cp, Double.NaN);
      } finally {
        cluster.closeAsync().get(2, TimeUnit.MINUTES);
        deleteTree(checkpoints);
      }
    }
  }

  private static Run run(
      String processor,
      int devices,
      long updates,
      ResponseWatcher watcher,
      double wall,
      long[] latencies,
      Checkpoints cp,
      double documentBytes) {
    if (watcher.rejected() != 0) {
      throw new IllegalStateException(watcher.rejected() + " updates were rejected");
    }
    double span = Math.max(1, watcher.acceptedSpanMillis()) / 1000.0;
    return new Run(
        processor,
        devices,
        updates,
        updates / span,
        wall,
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        latencies[latencies.length - 1] / 1e6,
        latencies.length,
        cp,
        documentBytes);
  }

  private static void awaitDrained(
      ResponseWatcher watcher, long updates, java.util.function.Supplier<Throwable> failure)
      throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    long lastLog = System.nanoTime();
    while (watcher.accepted() + watcher.rejected() < updates) {
      Throwable e = failure.get() != null ? failure.get() : watcher.failure();
      if (e != null) {
        throw new IllegalStateException("the run failed", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only "
                + watcher.accepted()
                + " of "
                + updates
                + " updates accepted in "
                + DRAIN_LIMIT);
      }
      if (System.nanoTime() - lastLog > 10_000_000_000L) {
        log("  %,d of %,d accepted", watcher.accepted(), updates);
        lastLog = System.nanoTime();
      }
      Thread.sleep(50);
    }
  }

  /**
   * Sends {@code count} small updates to random existing devices at {@code rate}/s and returns each
   * one's time from send to its accepted response, sorted (nanoseconds).
   */
  private static long[] pace(
      String bootstrap,
      String topic,
      int devices,
      int rate,
      int count,
      ResponseWatcher watcher,
      java.util.function.Supplier<Throwable> failure)
      throws InterruptedException {
    long[] sent = new long[count];
    Random random = new Random(42);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaTestClient(bootstrap).producer()) {
      long start = System.nanoTime();
      long step = 1_000_000_000L / rate;
      for (int j = 0; j < count; j++) {
        long due = start + j * step;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int d = random.nextInt(devices);
        sent[j] = System.nanoTime();
        producer.send(
            new ProducerRecord<>(
                topic,
                ShadowBenchData.deviceId(d).getBytes(StandardCharsets.UTF_8),
                ShadowBenchData.paced(d, j)));
      }
      producer.flush();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (watcher.paced() < count) {
      Throwable e = failure.get() != null ? failure.get() : watcher.failure();
      if (e != null) {
        throw new IllegalStateException("the run failed", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + watcher.paced() + " of " + count + " paced updates answered");
      }
      Thread.sleep(20);
    }
    long[] latencies = new long[count];
    for (int j = 0; j < count; j++) {
      latencies[j] = watcher.arrival(j) - sent[j];
    }
    Arrays.sort(latencies);
    return latencies;
  }

  /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
  static double percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  private static String report(
      List<Run> runs,
      String notes,
      int pacedRate,
      int pacedSeconds,
      Duration checkpointInterval,
      String loadAtStart,
      double totalSeconds) {
    StringBuilder md = new StringBuilder();
    md.append("# ShadowJob on RocksDB vs an in-memory map, ")
        .append(LocalDate.now())
        .append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "One JVM: an in-JVM Kafka broker (KRaft), a Flink MiniCluster and the clients. For each"
                + " fleet size the request topic is pre-filled once: pass 0 creates every shadow (a"
                + " reported state of 6 keys, one nested), odd passes change `desired` (a delta),"
                + " even passes report it back. Two processors read it from the start, one after"
                + " the other, each writing to its own output topics:%n%n- **map**: one thread,"
                + " plain `KafkaConsumer` → `ShadowStep` (the ShadowJob's own request step and"
                + " `ShadowEngine`) on a `HashMap<shadow key, document JSON>` → plain"
                + " `KafkaProducer` with the job's sink settings (linger 20 ms, lz4) and"
                + " serialization: responses, deltas, documents.%n- **rocksdb**:"
                + " `ShadowJob.kafkaJob` as deployed (Kafka sources and sinks, AT_LEAST_ONCE),"
                + " parallelism 1, `EmbeddedRocksDBStateBackend` (full checkpoints, the default),"
                + " 512 MB managed memory, checkpoints every %d s to the local file"
                + " system.%n%n**updates/s** = pre-filled updates / time between the first and the"
                + " last `update/accepted` record on the responses topic (record timestamps); drain"
                + " = wall time from start (including job deployment) until all were seen."
                + " **Latency**: afterwards %d small updates to random existing devices at %d/s go"
                + " to the desired topic; time from `send` to the consumer receiving the"
                + " `update/accepted` (header `shadow.response`) with that clientToken."
                + " **Checkpoint**: the first one completed after the paced phase (the whole"
                + " fleet's state); state/device = its size / devices.%n%n",
            checkpointInterval.toSeconds(),
            pacedRate * pacedSeconds,
            pacedRate));
    md.append(
        "| devices | processor | updates | updates/s | × map | drain s | p50 ms | p99 ms | max ms"
            + " | checkpoint MB | state B/device | checkpoint ms (last / max) | checkpoints |\n");
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Run r : runs) {
      Run map =
          runs.stream()
              .filter(m -> m.devices() == r.devices() && m.processor().equals("map"))
              .findFirst()
              .orElse(r);
      Checkpoints c = r.checkpoints();
      md.append(
          String.format(
              Locale.ROOT,
              "| %,d | %s | %,d | %,.0f | %.2f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s |%n",
              r.devices(),
              r.processor(),
              r.updates(),
              r.updatesPerSecond(),
              r.updatesPerSecond() / map.updatesPerSecond(),
              r.wallSeconds(),
              r.p50Millis(),
              r.p99Millis(),
              r.maxMillis(),
              c == null ? "–" : String.format(Locale.ROOT, "%.1f", c.stateBytes() / 1e6),
              c == null
                  ? String.format(Locale.ROOT, "(JSON %.0f)", r.documentBytes())
                  : String.format(Locale.ROOT, "%.0f", (double) c.stateBytes() / r.devices()),
              c == null ? "–" : c.lastMillis() + " / " + c.maxMillis(),
              c == null ? "–" : String.valueOf(c.completed())));
    }
    md.append(
        "\nFor the map, the state column gives the average stored document JSON (characters ="
            + " bytes, ASCII) for comparison with RocksDB's compressed SST files in the"
            + " checkpoint.\n\n");
    md.append(notes).append('\n');
    md.append("## Machine\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "- %d cores, shared with other work; load average (1, 5, 15 min) at start: %s; at the"
                + " end: %s.%n- Java %s, max heap %,d MB; broker, clients and MiniCluster in this"
                + " JVM.%n- Total run time %.0f s.%n",
            Runtime.getRuntime().availableProcessors(),
            loadAtStart,
            TelemetryJobBenchmark.loadAverage(),
            System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() / (1024 * 1024),
            totalSeconds));
    return md.toString();
  }

  private static String csv(List<Run> runs) {
    StringBuilder csv =
        new StringBuilder(
            "devices,processor,updates,updates_per_s,drain_s,p50_ms,p99_ms,max_ms,paced_samples,"
                + "checkpoint_state_bytes,checkpointed_bytes,state_bytes_per_device,"
                + "checkpoint_last_ms,checkpoint_max_ms,checkpoints,document_json_bytes\n");
    for (Run r : runs) {
      Checkpoints c = r.checkpoints();
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%s,%d,%.0f,%.1f,%.2f,%.2f,%.2f,%d,%s,%s,%s,%s,%s,%s,%s%n",
              r.devices(),
              r.processor(),
              r.updates(),
              r.updatesPerSecond(),
              r.wallSeconds(),
              r.p50Millis(),
              r.p99Millis(),
              r.maxMillis(),
              r.pacedSamples(),
              c == null ? "" : String.valueOf(c.stateBytes()),
              c == null ? "" : String.valueOf(c.checkpointedBytes()),
              c == null
                  ? ""
                  : String.format(Locale.ROOT, "%.0f", (double) c.stateBytes() / r.devices()),
              c == null ? "" : String.valueOf(c.lastMillis()),
              c == null ? "" : String.valueOf(c.maxMillis()),
              c == null ? "" : String.valueOf(c.completed()),
              Double.isNaN(r.documentBytes())
                  ? ""
                  : String.format(Locale.ROOT, "%.0f", r.documentBytes())));
    }
    return csv.toString();
  }

  private static int[] ints(String list) {
    return Arrays.stream(list.split(","))
        .mapToInt(s -> Integer.parseInt(s.trim().replace("_", "")))
        .toArray();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "shadow-job-bench: " + format + "%n", args);
  }
}
