package io.fleetpulse.bench.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.registry.DeviceUpdateDeserializationSchema;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.jobs.telemetry.TelemetryDeserializationSchema;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.jobs.telemetry.TelemetrySinks;
import io.fleetpulse.model.InvalidMessageException;
import io.fleetpulse.model.TelemetryAggregate;
import io.fleetpulse.model.TelemetryParser;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * TelemetryJob throughput from Kafka next to a plain Kafka consumer that reads and parses the same
 * records, in one JVM and one run: an embedded broker is filled once, then every round reads all of
 * it with each reader.
 *
 * <p>Readers: a plain {@code KafkaConsumer} without parsing, with Jackson databind ({@code
 * readTree}, the baseline) and with FleetPulse's {@link TelemetryParser}; the whole TelemetryJob
 * (bounded Kafka sources, discarding sinks, local MiniCluster, object reuse, no checkpoints) at
 * parallelism 1 and 2. One warm-up round (whose job runs count what reaches the sinks and check
 * it), then {@code --rounds} measured rounds, then one more p=2 job run under JFR for the profile.
 *
 * <p>Usage: {@code TelemetryJobBenchmark [--records N] [--devices N] [--rounds N] [--out FILE]
 * [--no-profile | --profile]}; the markdown report goes to stdout and, with {@code --out}, replaces
 * FILE. With {@code --summarise-jfr FILE} it only prints the profile summary of an existing
 * recording.
 */
public final class TelemetryJobBenchmark {

  private static final Duration READ_LIMIT = Duration.ofMinutes(5);
  private static volatile long blackhole;

  private TelemetryJobBenchmark() {}

  /** The readers, in the order each round runs them. */
  enum Reader {
    RAW("plain KafkaConsumer, no parse"),
    JACKSON("plain KafkaConsumer + Jackson `readTree` (**baseline**)"),
    PARSER("plain KafkaConsumer + FleetPulse `TelemetryParser`"),
    SCHEMA("plain KafkaConsumer + the job's `TelemetryDeserializationSchema`"),
    JOB_P1("TelemetryJob p=1"),
    JOB_P2("TelemetryJob p=2");

    final String label;

    Reader(String label) {
      this.label = label;
    }

    boolean isJob() {
      return this == JOB_P1 || this == JOB_P2;
    }
  }

  /** One timed read of all records: job runs have Flink's net runtime and the wall time. */
  record Timing(double seconds, double wallSeconds) {}

  public static void main(String[] args) throws Exception {
    int records = 2_000_000;
    int devices = 10_000;
    int rounds = 3;
    boolean profile = true;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--records" -> records = Integer.parseInt(args[++i]);
        case "--devices" -> devices = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Paths.get(args[++i]);
        case "--no-profile" -> profile = false;
        // After --quick's --no-profile: a quick run with the JFR profile, while iterating.
        case "--profile" -> profile = true;
        case "--summarise-jfr" -> {
          // Only summarise an existing recording, e.g. after changing the categories.
          System.out.print(JfrProfile.summarise(Paths.get(args[++i]), 12));
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (records % devices != 0) {
      throw new IllegalArgumentException("--records must be a multiple of --devices");
    }
    String loadAtStart = loadAverage();
    long began = System.nanoTime();
    Map<Reader, List<Timing>> timings = new EnumMap<>(Reader.class);
    StringBuilder notes = new StringBuilder();
    String profileSummary = null;
    double profiledRate = 0;
    long payloadBytes;
    double produceRate;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(BuildDirs.fresh("bench-kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      BenchTelemetry.createTopics(bootstrap);
      long t = System.nanoTime();
      payloadBytes = BenchTelemetry.produce(bootstrap, records, devices);
      produceRate = records / seconds(System.nanoTime() - t);
      log(
          "produced %,d records (%.1f B average) at %,.0f records/s",
          records, (double) payloadBytes / records, produceRate);

      // Warm-up round: JIT, broker page cache; the job runs count what reaches the sinks.
      long expectedAggregates = expectedAggregates(records, devices);
      for (Reader reader : Reader.values()) {
        Timing timing = read(reader, bootstrap, records, "warmup", true);
        log("warm-up %s: %,.0f records/s", reader, records / timing.seconds());
        if (reader.isJob()) {
          long aggregates = CountingSink.count("aggregates");
          long deadLetters = CountingSink.count("dead-letters");
          notes.append(
              String.format(
                  Locale.ROOT,
                  "- Check (warm-up %s, counting sinks): %,d aggregates (expected %,d), %,d dead"
                      + " letters (expected 0).%n",
                  reader.label,
                  aggregates,
                  expectedAggregates,
                  deadLetters));
          if (aggregates != expectedAggregates || deadLetters != 0) {
            throw new IllegalStateException(
                "the job's output is wrong: "
                    + aggregates
                    + " aggregates, "
                    + deadLetters
                    + " dead letters");
          }
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (Reader reader : Reader.values()) {
          System.gc();
          Timing timing = read(reader, bootstrap, records, "r" + round, false);
          timings.computeIfAbsent(reader, r -> new ArrayList<>()).add(timing);
          log("round %d %s: %,.0f records/s", round, reader, records / timing.seconds());
        }
      }
      if (profile) {
        Path jfr =
            Paths.get(System.getProperty("fleetpulse.build.dir", "target"))
                .resolve("telemetry-job-p2.jfr")
                .toAbsolutePath();
        System.gc();
        Timing timing;
        try (Recording recording = JfrProfile.start(Duration.ofMillis(5))) {
          timing = read(Reader.JOB_P2, bootstrap, records, "profile", false);
          recording.stop();
          recording.dump(jfr);
        }
        profiledRate = records / timing.seconds();
        log("profiled p=2 run: %,.0f records/s; recording %s", profiledRate, jfr);
        profileSummary =
            "Recording: `"
                + jfr
                + "` (one extra p=2 run, not in the table: "
                + String.format(Locale.ROOT, "%,.0f", profiledRate)
                + " records/s under JFR; \"profile\" settings, Java sampled every 5 ms;"
                + " `jfr print --events jdk.ExecutionSample` shows the raw samples).\n\n"
                + JfrProfile.summarise(jfr, 12);
      }
    }
    String report =
        report(
            records,
            devices,
            rounds,
            payloadBytes,
            produceRate,
            timings,
            notes.toString(),
            profileSummary,
            loadAtStart,
            seconds(System.nanoTime() - began));
    System.out.print(report);
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Path csv = sibling(out, ".csv");
      Path png = sibling(out, ".png");
      Files.writeString(csv, csv(records, timings));
      BenchCharts.medians(
          png,
          "TelemetryJob vs plain consumer, " + records + " records",
          medians(records, timings));
      Files.writeString(
          out,
          report
              + "\nData: [`"
              + csv.getFileName()
              + "`]("
              + csv.getFileName()
              + "); chart:\n\n![median records/s per reader]("
              + png.getFileName()
              + ")\n");
    }
  }

  private static Timing read(
      Reader reader, String bootstrap, int records, String run, boolean check) throws Exception {
    return switch (reader) {
      case RAW, JACKSON, PARSER, SCHEMA -> consume(reader, bootstrap, records);
      case JOB_P1 -> job(bootstrap, 1, run, check);
      case JOB_P2 -> job(bootstrap, 2, run, check);
    };
  }

  /** Reads every record of the topic with a plain consumer, parsing each as {@code reader} says. */
  static Timing consume(Reader reader, String bootstrap, int records)
      throws IOException, InvalidMessageException {
    ObjectMapper mapper = new ObjectMapper();
    TelemetryParser parser = new TelemetryParser();
    TelemetryDeserializationSchema schema =
        new TelemetryDeserializationSchema(
            TelemetryParser.DEFAULT_MAX_PAYLOAD_BYTES, TelemetryParser.DEFAULT_MAX_FUTURE_SKEW_MS);
    schema.open(null);
    long[] seqs = new long[1];
    Collector<ParsedTelemetry> sum =
        new Collector<>() {
          @Override
          public void collect(ParsedTelemetry parsed) {
            seqs[0] += parsed.getTelemetry().getSeq();
          }

          @Override
          public void close() {}
        };
    long began = System.nanoTime();
    long deadline = began + READ_LIMIT.toNanos();
    long read = 0;
    long check = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(consumerProperties(bootstrap))) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < BenchTelemetry.PARTITIONS; p++) {
        partitions.add(new TopicPartition(BenchTelemetry.TOPIC, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (read < records) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("read only " + read + " of " + records + " records");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          read++;
          switch (reader) {
            case RAW -> check += record.value().length;
            case JACKSON -> {
              JsonNode tree = mapper.readTree(record.value());
              check += tree.get("seq").asLong();
            }
            case PARSER -> check += parser.parse(record.value()).getSeq();
            case SCHEMA -> schema.deserialize(record, sum);
            default -> throw new IllegalArgumentException(reader.name());
          }
        }
      }
    }
    blackhole += check + seqs[0];
    double s = seconds(System.nanoTime() - began);
    return new Timing(s, s);
  }

  /** A plain consumer reading as the jobs' KafkaSource reads (read_committed, no commits). */
  public static Properties consumerProperties(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // As the job's KafkaSource reads.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /**
   * Runs the TelemetryJob over the whole topic: bounded Kafka sources wired as {@code
   * TelemetryJob.kafkaJob} wires them, discarding sinks ({@code check}: counting sinks).
   */
  static Timing job(String bootstrap, int parallelism, String run, boolean check) throws Exception {
    TelemetryJobConfig config =
        TelemetryJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers",
              bootstrap,
              "--kafka.group.id",
              "bench-telemetry-job-" + run + "-p" + parallelism,
              "--topic.telemetry.raw",
              BenchTelemetry.TOPIC,
              "--topic.devices",
              BenchTelemetry.DEVICES_TOPIC
            },
            Map.of());
    Source<ParsedTelemetry, ?, ?> telemetry =
        KafkaConnectors.boundedSource(
            config.kafka(),
            config.rawTopic(),
            new TelemetryDeserializationSchema(
                config.maxPayloadBytes(), config.maxFutureSkew().toMillis()));
    Source<DeviceUpdate, ?, ?> registry =
        KafkaConnectors.boundedBroadcastSource(
            config.kafka(), config.devicesTopic(), new DeviceUpdateDeserializationSchema());
    Sink<TelemetryAggregate> aggregates =
        check ? new CountingSink<>("aggregates") : new DiscardingSink<>();
    Sink<DeadLetter> deadLetters =
        check ? new CountingSink<>("dead-letters") : new DiscardingSink<>();
    CountingSink.reset();

    Configuration conf = TelemetryJob.flinkConfiguration(config);
    // As the report says: no checkpoints (10,000 devices' state is over the in-memory
    // checkpoint storage's 5 MB, and a checkpoint is not what is measured).
    conf.removeConfig(CheckpointingOptions.CHECKPOINTING_INTERVAL);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    new TelemetryJob(
            config,
            telemetry,
            registry,
            new TelemetrySinks(
                List.of(new NamedSink<>("aggregate-sink", aggregates)),
                List.of(),
                List.of(),
                deadLetters))
        .build(env);
    long began = System.nanoTime();
    JobExecutionResult result = env.execute("TelemetryJob benchmark " + run + " p=" + parallelism);
    double wall = seconds(System.nanoTime() - began);
    return new Timing(result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0, wall);
  }

  /**
   * One aggregate per device, metric and one-minute window; each device's readings span from T0 + d
   * to T0 + (n - 1) * step + d.
   */
  static long expectedAggregates(int records, int devices) {
    long perDevice = records / devices;
    long total = 0;
    for (int d = 0; d < devices; d++) {
      long first = (BenchTelemetry.T0 + d) / 60_000;
      long last = (BenchTelemetry.T0 + (perDevice - 1) * BenchTelemetry.STEP_MS + d) / 60_000;
      total += last - first + 1;
    }
    return total * BenchTelemetry.METRICS;
  }

  private static String report(
      int records,
      int devices,
      int rounds,
      long payloadBytes,
      double produceRate,
      Map<Reader, List<Timing>> timings,
      String notes,
      String profileSummary,
      String loadAtStart,
      double totalSeconds)
      throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# TelemetryJob throughput, ").append(LocalDate.now()).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d telemetry records (%.0f B JSON on average: deviceId, ts, seq, 2 metrics, fw),"
                + " %,d devices, %d partitions, one in-JVM Kafka broker (KRaft) in the same JVM."
                + " Produced once at %,.0f records/s (lz4, linger 20 ms, 256 KB batches). Every"
                + " reader reads all records; records/s = records / time to read them all."
                + " One warm-up round, then %d rounds; each round runs every reader once, in"
                + " table order.%n%n",
            records,
            (double) payloadBytes / records,
            devices,
            BenchTelemetry.PARTITIONS,
            produceRate,
            rounds));
    md.append(
        "Job: `TelemetryJob.build` with bounded Kafka sources (telemetry and the `iot.devices`"
            + " registry, 10,000 ACTIVE devices), parse in the deserializer, validate, keyBy"
            + " device, dedupe + registry enrichment, 1-min tumbling event-time windows,"
            + " `DiscardingSink`s; local MiniCluster, heap state backend, checkpointing off,"
            + " `enableObjectReuse()`. Job time = Flink's net runtime (job submitted to"
            + " finished, includes task deployment); wall = `env.execute()` including starting"
            + " and stopping the MiniCluster.\n\n");
    List<Timing> baselineRuns = timings.get(Reader.JACKSON);
    double baseline = median(rates(records, baselineRuns, false));
    double parserMedian = median(rates(records, timings.get(Reader.PARSER), false));
    md.append("| reader | median records/s | min | max | × baseline |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (Reader reader : Reader.values()) {
      row(
          md,
          reader.label + (reader.isJob() ? " (net runtime)" : ""),
          rates(records, timings.get(reader), false),
          baseline);
    }
    for (Reader reader : Reader.values()) {
      if (reader.isJob()) {
        row(
            md,
            reader.label + " (wall, with MiniCluster start/stop)",
            rates(records, timings.get(reader), true),
            baseline);
      }
    }
    double p1 = median(rates(records, timings.get(Reader.JOB_P1), false));
    double p2 = median(rates(records, timings.get(Reader.JOB_P2), false));
    md.append(
        String.format(
            Locale.ROOT,
            "%n**Ratio job / plain consumer + Jackson (medians): p=1 %.2f, p=2 %.2f** (goal p=2"
                + " ≥ 0.80: %s). Against the consumer with TelemetryParser: p=1 %.2f, p=2"
                + " %.2f.%n%n",
            p1 / baseline,
            p2 / baseline,
            p2 / baseline >= 0.8 ? "met" : "not met",
            p1 / parserMedian,
            p2 / parserMedian));
    md.append("Per round (records/s):\n\n| round |");
    for (Reader reader : Reader.values()) {
      md.append(' ').append(reader.name()).append(" |");
    }
    md.append("\n|---|");
    md.append("---:|".repeat(Reader.values().length)).append('\n');
    for (int r = 0; r < rounds; r++) {
      md.append("| ").append(r + 1).append(" |");
      for (Reader reader : Reader.values()) {
        md.append(
            String.format(Locale.ROOT, " %,.0f |", records / timings.get(reader).get(r).seconds()));
      }
      md.append('\n');
    }
    md.append('\n').append(notes).append('\n');
    md.append("## Machine\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "- %d cores (`nproc`), %s; shared with other work.%n"
                + "- Load average (1, 5, 15 min) at start: %s; at the end: %s.%n"
                + "- Java %s, max heap %,d MB; the broker, the consumers and the MiniCluster share"
                + " this JVM.%n"
                + "- Total run time %.0f s.%n%n",
            Runtime.getRuntime().availableProcessors(),
            cpuModel(),
            loadAtStart,
            loadAverage(),
            System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() / (1024 * 1024),
            totalSeconds));
    if (profileSummary != null) {
      md.append("## Profile of the p=2 job run (JFR)\n\n").append(profileSummary).append('\n');
    }
    return md.toString();
  }

  /** {@code out} with its extension replaced by {@code extension}. */
  public static Path sibling(Path out, String extension) {
    String name = out.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + extension);
  }

  /** One row per reader and round: records/s by net runtime and by wall time, and the ratio. */
  private static String csv(int records, Map<Reader, List<Timing>> timings) {
    double baseline = median(rates(records, timings.get(Reader.JACKSON), false));
    StringBuilder csv =
        new StringBuilder("reader,round,records_per_s,wall_records_per_s,ratio_to_baseline\n");
    for (Reader reader : Reader.values()) {
      List<Timing> runs = timings.get(reader);
      for (int r = 0; r < runs.size(); r++) {
        double rate = records / runs.get(r).seconds();
        csv.append(
            String.format(
                Locale.ROOT,
                "%s,%d,%.0f,%.0f,%.3f%n",
                reader.name(),
                r + 1,
                rate,
                records / runs.get(r).wallSeconds(),
                rate / baseline));
      }
    }
    return csv.toString();
  }

  private static Map<String, Double> medians(int records, Map<Reader, List<Timing>> timings) {
    Map<String, Double> medians = new java.util.LinkedHashMap<>();
    for (Reader reader : Reader.values()) {
      medians.put(reader.name(), median(rates(records, timings.get(reader), false)));
    }
    return medians;
  }

  private static void row(StringBuilder md, String label, List<Double> rates, double baseline) {
    double median = median(rates);
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %,.0f | %,.0f | %,.0f | %.2f |%n",
            label,
            median,
            Collections.min(rates),
            Collections.max(rates),
            median / baseline));
  }

  private static List<Double> rates(int records, List<Timing> runs, boolean wall) {
    List<Double> rates = new ArrayList<>();
    for (Timing t : runs) {
      rates.add(records / (wall ? t.wallSeconds() : t.seconds()));
    }
    return rates;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "telemetry-job-bench: " + format + "%n", args);
  }

  public static String loadAverage() {
    try {
      String[] parts = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT,
          "%.2f (1 min)",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // Fall through: the model is a detail.
    }
    return "CPU model unknown";
  }
}
