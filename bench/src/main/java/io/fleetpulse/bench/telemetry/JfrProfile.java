package io.fleetpulse.bench.telemetry;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording with the JDK's "profile" settings and a summary of its execution samples: top
 * frames by self time, samples per thread, and the share of samples inside chosen code (inclusive).
 * The same numbers come from {@code jfr print --events jdk.ExecutionSample FILE}.
 */
final class JfrProfile {

  /** Inclusive categories: a sample counts when any of its frames matches. */
  private static final Map<String, Predicate<String>> CATEGORIES = new LinkedHashMap<>();

  static {
    CATEGORIES.put("Jackson (any)", f -> f.startsWith("com.fasterxml.jackson."));
    CATEGORIES.put(
        "TelemetryParser.parse", f -> f.startsWith("io.fleetpulse.model.TelemetryParser.parse"));
    CATEGORIES.put(
        "PlainReadingScanner.scan (parse without Jackson)",
        f -> f.startsWith("io.fleetpulse.jobs.telemetry.PlainReadingScanner.scan"));
    CATEGORIES.put(
        "Kafka consumer client (fetch, decompress, records)",
        f -> f.startsWith("org.apache.kafka.clients.") || f.startsWith("org.apache.kafka.common."));
    CATEGORIES.put(
        "Deduplicator.firstSighting (dedupe ring)",
        f -> f.startsWith("io.fleetpulse.jobs.enrich.Deduplicator.firstSighting"));
    CATEGORIES.put(
        "Registry lookup (broadcast state)",
        f -> f.startsWith("org.apache.flink.runtime.state.HeapBroadcastState.get"));
    CATEGORIES.put("State TTL wrappers", f -> f.startsWith("org.apache.flink.runtime.state.ttl."));
    CATEGORIES.put(
        "State TTL incremental cleanup (heap)",
        f -> f.startsWith("org.apache.flink.runtime.state.ttl.TtlIncrementalCleanup"));
    CATEGORIES.put("Heap keyed state", f -> f.startsWith("org.apache.flink.runtime.state.heap."));
    CATEGORIES.put(
        "Timer registration",
        f -> f.contains("InternalTimerServiceImpl.register") || f.contains(".registerEventTime"));
    CATEGORIES.put(
        "WindowOperator.processElement",
        f -> f.startsWith("org.apache.flink.streaming.runtime.operators.windowing.WindowOperator"));
    CATEGORIES.put(
        "Network out: record serialization (keyBy)",
        f -> f.startsWith("org.apache.flink.runtime.io.network.api.writer.RecordWriter"));
    CATEGORIES.put(
        "Network in: record deserialization",
        f ->
            f.startsWith(
                    "org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer"
                        + ".deserialize")
                || f.startsWith("org.apache.flink.runtime.io.network.api.serialization."));
    CATEGORIES.put(
        "POJO serializer (reflective field access)",
        f -> f.startsWith("org.apache.flink.api.java.typeutils.runtime.PojoSerializer"));
    CATEGORIES.put(
        "Key selector / key group hashing",
        f ->
            f.startsWith("org.apache.flink.runtime.state.KeyGroupRangeAssignment")
                || f.contains("KeyGroupStreamPartitioner"));
    CATEGORIES.put("Flink metrics", f -> f.startsWith("org.apache.flink.metrics."));
  }

  private JfrProfile() {}

  /** Starts a recording with the "profile" settings, sampling Java code every {@code period}. */
  static Recording start(Duration period) throws IOException, ParseException {
    Recording recording = new Recording(Configuration.getConfiguration("profile"));
    recording.enable("jdk.ExecutionSample").withPeriod(period);
    recording.start();
    return recording;
  }

  /** Reads the execution samples of {@code file} and summarises them as markdown. */
  static String summarise(Path file, int top) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> inclusive = new LinkedHashMap<>();
    Map<String, Integer> fleetpulse = new HashMap<>();
    Map<String, Integer> selfInTasks = new HashMap<>();
    int samples = 0;
    int taskSamples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!"jdk.ExecutionSample".equals(event.getEventType().getName())
          || event.getStackTrace() == null) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = event.getStackTrace().getFrames();
      List<String> names = new ArrayList<>(frames.size());
      for (RecordedFrame frame : frames) {
        if (frame.isJavaFrame()) {
          names.add(name(frame.getMethod()));
        }
      }
      String thread = threadGroup(event.getThread("sampledThread"));
      threads.merge(thread, 1, Integer::sum);
      String top1 = names.isEmpty() ? "(no Java frame)" : names.get(0);
      self.merge(top1, 1, Integer::sum);
      if (thread.startsWith("Flink task")) {
        taskSamples++;
        selfInTasks.merge(top1, 1, Integer::sum);
      }
      Set<String> seen = new HashSet<>();
      for (Map.Entry<String, Predicate<String>> c : CATEGORIES.entrySet()) {
        if (names.stream().anyMatch(c.getValue())) {
          inclusive.merge(c.getKey(), 1, Integer::sum);
        }
      }
      for (String n : names) {
        if (n.startsWith("io.fleetpulse.")
            && !n.startsWith("io.fleetpulse.bench.")
            && seen.add(n)) {
          fleetpulse.merge(n, 1, Integer::sum);
        }
      }
    }
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%,d execution samples in all threads.%n%n", samples));
    md.append(
        "Top frames by self time (all threads: Flink tasks, Kafka fetchers, the broker):\n\n");
    table(md, self, samples, top, "frame (self)");
    md.append(
        String.format(
            Locale.ROOT,
            "%nTop frames by self time in the Flink task threads only (%,d samples):%n%n",
            taskSamples));
    table(md, selfInTasks, taskSamples, top, "frame (self, task threads)");
    md.append("\nSamples per thread (names with numbers folded):\n\n");
    table(md, threads, samples, 12, "thread");
    md.append("\nInclusive: samples with this code anywhere on the stack (all threads):\n\n");
    table(md, inclusive, samples, CATEGORIES.size(), "code");
    md.append("\nInclusive, FleetPulse methods:\n\n");
    table(md, fleetpulse, samples, top, "FleetPulse method");
    return md.toString();
  }

  private static void table(
      StringBuilder md, Map<String, Integer> counts, int of, int top, String h) {
    md.append("| ").append(h).append(" | samples | % |\n|---|---:|---:|\n");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                md.append(
                    String.format(
                        Locale.ROOT,
                        "| `%s` | %,d | %.1f |%n",
                        e.getKey(),
                        e.getValue(),
                        of == 0 ? 0.0 : 100.0 * e.getValue() / of)));
  }

  private static String name(RecordedMethod method) {
    return method.getType().getName() + "." + method.getName();
  }

  /** Flink task threads end in "(1/2)#0"; digits are folded so that subtasks group together. */
  private static String threadGroup(RecordedThread thread) {
    String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
    if (name.startsWith("Source Data Fetcher")) {
      return "Kafka source fetcher";
    }
    if (name.matches(".*\\(\\d+/\\d+\\)#\\d+$")) {
      return "Flink task: " + name.replaceAll(" \\(\\d+/\\d+\\)#\\d+$", "");
    }
    return name.replaceAll("\\d+", "#");
  }
}
