package io.fleetpulse.bench.anomaly;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.bench.BridgeThroughputBench;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.mqtt.MqttBridge;
import io.fleetpulse.connectors.mqtt.MqttBridgeConfig;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.jobs.anomaly.AnomalyJob;
import io.fleetpulse.jobs.anomaly.AnomalyJobConfig;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.ModelJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One latency measurement: a fresh bridge and AnomalyJob (wired by {@link AnomalyJob#kafkaJob} as
 * {@code main} wires it, on a local MiniCluster) on topics of their own, background telemetry over
 * MQTT, and probes — each a breaching reading of a device of its own — whose OPEN alerts a consumer
 * in this JVM reads from the alerts topic. Every time is {@link System#nanoTime()} of this JVM: the
 * publish call, the probe's record readable on the raw topic, its alert readable.
 */
final class AlertLatency {

  /** A measured setting: its name, what it is, and the job arguments that make it. */
  record Setup(String name, String label, List<String> jobArgs) {}

  /** What one setup measured: latencies in nanoseconds per probe that arrived. */
  record Result(
      Setup setup,
      List<Long> endToEnd,
      List<Long> toRaw,
      List<Long> rawToAlert,
      int probes,
      int lost,
      double backgroundRate,
      long jobStartMillis) {

    /** The result of a setup that did not run to its end. */
    static Result failed(Setup setup) {
      return new Result(setup, List.of(), List.of(), List.of(), 0, 0, 0, -1);
    }
  }

  /** Durations and rates of a measurement. */
  record Plan(
      Duration warmUp,
      Duration measure,
      int probesPerSecond,
      int backgroundPerSecond,
      int devices,
      int connections,
      int parallelism) {}

  static final String SHARED_PREFIX = "bench-anomaly-";

  private final String bootstrap;
  private final MosquittoBroker broker;
  private final Path rules;
  private final Path workDir;
  private final Plan plan;

  AlertLatency(String bootstrap, MosquittoBroker broker, Path rules, Path workDir, Plan plan) {
    this.bootstrap = bootstrap;
    this.broker = broker;
    this.rules = rules;
    this.workDir = workDir;
    this.plan = plan;
  }

  /** The topics every setup shares: nobody writes signals or actions, so they stay empty. */
  static void createSharedTopics(KafkaTestClient kafka) {
    kafka.createTopics(
        1,
        SHARED_PREFIX + "signals",
        SHARED_PREFIX + "actions",
        SHARED_PREFIX + "alert-dlq",
        SHARED_PREFIX + "bridge-rejected");
    kafka.createTopics(1, Map.of("cleanup.policy", "compact"), SHARED_PREFIX + "devices");
  }

  Result run(Setup setup, KafkaTestClient kafka) throws Exception {
    String raw = SHARED_PREFIX + setup.name() + "-raw";
    String alerts = SHARED_PREFIX + setup.name() + "-alerts";
    kafka.createTopics(4, raw);
    kafka.createTopics(2, alerts);
    Probes probes = new Probes(setup.name() + "-probe-");
    try (MqttBridge bridge = bridge(setup.name(), raw);
        ProbeReader reader = new ProbeReader(bootstrap, raw, alerts, probes)) {
      Mqtt5AsyncClient prober = connect("bench-prober-" + setup.name());
      long submitted = System.nanoTime();
      JobClient job = submit(setup, raw, alerts);
      try {
        // Ready once a probe's alert came through: the job runs and reads the raw topic. The
        // background starts only then, so that the job does not begin behind a backlog.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (probes.firstAlerted() == 0) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                setup.name() + ": no alert within 2 minutes of start; " + progress(reader));
          }
          if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            throw new IllegalStateException(setup.name() + ": the job ended");
          }
          publish(prober, probes, probes.next());
          Thread.sleep(500);
        }
        long jobStartMillis = TimeUnit.NANOSECONDS.toMillis(probes.firstAlerted() - submitted);
        log("%s: first alert %d ms after the job was submitted", setup.name(), jobStartMillis);
        try (MqttLoad load =
            MqttLoad.start(
                broker.host(),
                broker.port(),
                plan.connections(),
                plan.devices(),
                plan.backgroundPerSecond(),
                setup.name())) {
          probeFor(prober, probes, plan.warmUp());
          int from = probes.issued();
          long loadFrom = load.sent();
          long measureStart = System.nanoTime();
          probeFor(prober, probes, plan.measure());
          double rate = (load.sent() - loadFrom) / seconds(System.nanoTime() - measureStart);
          int to = probes.issued();
          // Alerts of the last probes, and under EXACTLY_ONCE the last checkpoint's, still come.
          long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
          while (!probes.allAlerted(from, to) && System.nanoTime() < drainEnd) {
            Thread.sleep(20);
          }
          load.check();
          log("%s: %s", setup.name(), progress(reader));
          return result(setup, probes, from, to, rate, jobStartMillis);
        }
      } finally {
        job.cancel().get(60, TimeUnit.SECONDS);
        prober.disconnect().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static String progress(ProbeReader reader) {
    return String.format(
        Locale.ROOT, "%,d raw records and %,d alerts read", reader.rawRead(), reader.alertsRead());
  }

  private Result result(
      Setup setup, Probes probes, int from, int to, double rate, long jobStartMillis) {
    List<Long> endToEnd = new ArrayList<>();
    List<Long> toRaw = new ArrayList<>();
    List<Long> rawToAlert = new ArrayList<>();
    int lost = 0;
    for (int i = from; i < to; i++) {
      long sent = probes.sent(i);
      long rawAt = probes.raw(i);
      long alertAt = probes.alerted(i);
      if (alertAt == 0) {
        lost++;
        continue;
      }
      endToEnd.add(alertAt - sent);
      if (rawAt != 0) {
        toRaw.add(rawAt - sent);
        rawToAlert.add(alertAt - rawAt);
      }
    }
    return new Result(setup, endToEnd, toRaw, rawToAlert, to - from, lost, rate, jobStartMillis);
  }

  /** Publishes probes at the planned rate for {@code duration}. */
  private void probeFor(Mqtt5AsyncClient prober, Probes probes, Duration duration)
      throws InterruptedException {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long step = 1_000_000_000L / plan.probesPerSecond();
    for (long due = start; due < end; due += step) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      publish(prober, probes, probes.next());
    }
  }

  private static void publish(Mqtt5AsyncClient prober, Probes probes, int probe) {
    String device = probes.deviceId(probe);
    byte[] payload = MqttLoad.reading(device, System.currentTimeMillis(), 0, 95.0, null);
    probes.markSent(probe);
    prober
        .publishWith()
        .topic("devices/" + device + "/telemetry")
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload)
        .send();
  }

  private Mqtt5AsyncClient connect(String id) throws Exception {
    Mqtt5AsyncClient client =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier(id)
            .serverHost(broker.host())
            .serverPort(broker.port())
            .buildAsync();
    client.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
    return client;
  }

  private MqttBridge bridge(String name, String raw) throws InterruptedException {
    Map<String, String> settings =
        BridgeThroughputBench.benchBridgeSettings(broker, bootstrap, "anomaly-" + name, raw);
    settings.put("topic.bridge.rejected", SHARED_PREFIX + "bridge-rejected");
    MqttBridge bridge =
        MqttBridge.builder()
            .config(MqttBridgeConfig.from(Settings.of(settings, MqttBridgeConfig.OPTIONS)))
            .build();
    bridge.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!bridge.healthy()) {
      if (System.nanoTime() > deadline) {
        bridge.close();
        throw new IllegalStateException("the bridge did not become healthy: " + bridge.down());
      }
      Thread.sleep(20);
    }
    return bridge;
  }

  private JobClient submit(Setup setup, String raw, String alerts) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap.servers",
                bootstrap,
                "--kafka.group.id",
                "anomaly-bench-" + setup.name(),
                "--topic.telemetry",
                raw,
                "--topic.devices",
                SHARED_PREFIX + "devices",
                "--topic.alert.signals",
                SHARED_PREFIX + "signals",
                "--topic.alert.actions",
                SHARED_PREFIX + "actions",
                "--topic.alerts",
                alerts,
                "--topic.alert.dlq",
                SHARED_PREFIX + "alert-dlq",
                "--anomaly.rules-file",
                rules.toString(),
                "--checkpoint.dir",
                workDir.resolve("checkpoints-" + setup.name()).toUri().toString()));
    args.addAll(setup.jobArgs());
    AnomalyJobConfig config = AnomalyJobConfig.load(args.toArray(String[]::new), Map.of());
    Configuration conf = AnomalyJob.flinkConfiguration(config);
    // A failure must fail the benchmark, not restart behind its back.
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(plan.parallelism(), conf);
    AnomalyJob.kafkaJob(config).build(env);
    return env.executeAsync("AnomalyJob latency " + setup.name());
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "anomaly-bench: " + format + "%n", args);
  }

  /** The probes of one setup: device {@code prefix + n}, and when each was sent, seen, alerted. */
  static final class Probes {
    private final String prefix;
    private final Map<Integer, Long> sent = new ConcurrentHashMap<>();
    private final Map<Integer, Long> raw = new ConcurrentHashMap<>();
    private final Map<Integer, Long> alerted = new ConcurrentHashMap<>();
    private int next;

    Probes(String prefix) {
      this.prefix = prefix;
    }

    String deviceId(int probe) {
      return String.format(Locale.ROOT, "%s%06d", prefix, probe);
    }

    /** The probe number of {@code deviceId}, or -1 when it is no probe of these. */
    int probeOf(String deviceId) {
      if (deviceId == null || !deviceId.startsWith(prefix)) {
        return -1;
      }
      return Integer.parseInt(deviceId.substring(prefix.length()));
    }

    int next() {
      return next++;
    }

    /** How many probes were issued: the index the next one gets, without issuing it. */
    int issued() {
      return next;
    }

    void markSent(int probe) {
      sent.put(probe, System.nanoTime());
    }

    void markRaw(int probe, long at) {
      raw.putIfAbsent(probe, at);
    }

    void markAlerted(int probe, long at) {
      alerted.putIfAbsent(probe, at);
    }

    long sent(int probe) {
      return sent.getOrDefault(probe, 0L);
    }

    long raw(int probe) {
      return raw.getOrDefault(probe, 0L);
    }

    long alerted(int probe) {
      return alerted.getOrDefault(probe, 0L);
    }

    /** When the first alert of any probe was read, or 0. */
    long firstAlerted() {
      return alerted.values().stream().mapToLong(Long::longValue).min().orElse(0);
    }

    boolean allAlerted(int from, int to) {
      for (int i = from; i < to; i++) {
        if (!alerted.containsKey(i)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Reads the raw and the alerts topic from their start on a thread of its own and notes when each
   * probe's reading and its OPEN alert became readable.
   */
  static final class ProbeReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final String raw;
    private final Probes probes;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long rawRead;
    private volatile long alertsRead;

    ProbeReader(String bootstrap, String raw, String alerts, Probes probes) {
      this.raw = raw;
      this.probes = probes;
      Map<String, Object> p = new HashMap<>();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      // As an alert consumer must read under EXACTLY_ONCE; the same for AT_LEAST_ONCE records.
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(raw, alerts)) {
        consumer
            .partitionsFor(topic)
            .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      thread = new Thread(this::run, "anomaly-bench-probe-reader");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      try {
        while (running) {
          var records = consumer.poll(Duration.ofMillis(50));
          long now = System.nanoTime();
          for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.topic().equals(raw)) {
              rawRead++;
              String key =
                  record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
              int probe = probes.probeOf(key);
              if (probe >= 0) {
                probes.markRaw(probe, now);
              }
            } else {
              alertsRead++;
              Alert alert = ModelJson.fromBytes(record.value(), Alert.class);
              int probe = probes.probeOf(alert.getDeviceId());
              if (probe >= 0 && alert.getState() == AlertState.OPEN) {
                probes.markAlerted(probe, now);
              }
            }
          }
        }
      } catch (RuntimeException e) {
        failure = e;
        log("reading the probes failed: %s", e);
      }
    }

    long rawRead() {
      return rawRead;
    }

    long alertsRead() {
      return alertsRead;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(10_000);
      consumer.close(Duration.ofSeconds(5));
      if (failure != null) {
        throw new IllegalStateException("reading the probes failed", failure);
      }
    }
  }
}
