package io.fleetpulse.demo;

import io.fleetpulse.api.ShadowApi;
import io.fleetpulse.api.ShadowApiConfig;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.mqtt.MqttBridge;
import io.fleetpulse.connectors.mqtt.MqttBridgeConfig;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.mqtt.MosquittoBroker;
import io.fleetpulse.devstack.sim.DeviceSimulator;
import io.fleetpulse.devstack.sim.SimulatorConfig;
import io.fleetpulse.jobs.anomaly.AnomalyJob;
import io.fleetpulse.jobs.anomaly.AnomalyJobConfig;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.shadow.ShadowJob;
import io.fleetpulse.jobs.shadow.ShadowJobConfig;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.sql.RuleSet;
import io.fleetpulse.sql.SqlRulesConfig;
import io.fleetpulse.sql.SqlRulesJob;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The whole FleetPulse in one JVM: Kafka, an MQTT broker, the bridge, every job on one Flink
 * MiniCluster, the API and a simulated fleet with anomalies and devices going offline; a live
 * summary until Ctrl-C or {@code --run-for}.
 */
public final class Demo {

  private static final ConfigOption<Integer> DEVICES =
      ConfigOption.key("devices")
          .intType()
          .between(1, 20_000)
          .defaultValue(300)
          .description("simulated devices");
  private static final ConfigOption<Integer> RATE =
      ConfigOption.key("rate")
          .intType()
          .nonNegative()
          .defaultValue(0)
          .description(
              "telemetry messages per second of the fleet; `0`: one per device and second");
  private static final ConfigOption<String> OFFLINE_FRACTION =
      ConfigOption.key("offline-fraction")
          .stringType()
          .defaultValue("0.05")
          .description("share of devices that go silent now and then");
  private static final ConfigOption<Duration> WINDOW =
      ConfigOption.key("window.size")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(10))
          .description("tumbling window size of the TelemetryJob");
  private static final ConfigOption<Duration> RUN_FOR =
      ConfigOption.key("run-for")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ZERO)
          .description("stop after this long; 0 runs until Ctrl-C");
  private static final ConfigOption<Integer> API_PORT =
      ConfigOption.key("api.port")
          .intType()
          .between(0, 65535)
          .defaultValue(8081)
          .description("port of the API (and dashboard); another free port when it is taken");

  /** The demo's options. */
  public static final OptionSet OPTIONS =
      OptionSet.builder().add(DEVICES, RATE, OFFLINE_FRACTION, WINDOW, RUN_FOR, API_PORT).build();

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private Demo() {}

  public static void main(String[] args) throws Exception {
    Settings s = Settings.load(args, System.getenv(), OPTIONS);
    int devices = s.get(DEVICES);
    Options options =
        new Options(
            devices,
            s.get(RATE) == 0 ? devices : s.get(RATE),
            s.get(OFFLINE_FRACTION),
            s.get(WINDOW),
            s.get(RUN_FOR),
            s.get(API_PORT),
            SimulatorConfig.Behaviour.DEFAULT);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    stopped.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  killChildProcesses();
                }));
    try {
      run(options, System.out, System.console() != null, stop);
    } catch (StoppedWhileStarting e) {
      System.out.println("Stopped while starting.");
    } finally {
      stopped.countDown();
    }
    System.exit(0);
  }

  /**
   * The last word of the shutdown hook: every process this JVM started (Mosquitto, influxd) is
   * killed, whatever point the start-up had reached; normally the resources stopped them already.
   */
  private static void killChildProcesses() {
    ProcessHandle.current()
        .descendants()
        .forEach(
            p -> {
              p.destroyForcibly();
              p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> p).join();
            });
  }

  /** A stop (Ctrl-C, SIGTERM) came before every component was up: the rest is not started. */
  static final class StoppedWhileStarting extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoppedWhileStarting(String next) {
      super("stopped before " + next + " started");
    }
  }

  /** What to run. */
  record Options(
      int devices,
      int rate,
      String offlineFraction,
      Duration window,
      Duration runFor,
      int apiPort,
      SimulatorConfig.Behaviour behaviour) {}

  /** What a run saw, for its caller (tests). */
  record Outcome(
      int jobsRunning,
      long telemetrySent,
      long aggregates,
      int distinctAlerts,
      Map<String, Integer> alertsByRule,
      String apiUrl,
      String apiKey,
      boolean usedMqtt) {}

  /**
   * Runs the demo until {@code stop} counts down or {@code runFor} passes; {@code inPlace} updates
   * the summary on one terminal line, otherwise a line is printed every 10 s.
   */
  static Outcome run(Options o, PrintStream out, boolean inPlace, CountDownLatch stop)
      throws Exception {
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    Progress progress = new Progress(out, stop);
    out.println("FleetPulse demo: starting (" + o.devices() + " simulated devices)");
    try {
      EmbeddedKafka kafka =
          progress.step(
              "Kafka (KRaft, in this JVM)",
              () -> EmbeddedKafka.start(BuildDirs.fresh("demo-kafka")),
              k -> "at " + k.bootstrapServers());
      resources.push(kafka);
      String bootstrap = kafka.bootstrapServers();
      KafkaTestClient admin = new KafkaTestClient(bootstrap);
      progress.step("Kafka topics", () -> createTopics(admin, 4), t -> t.size() + " topics");

      MosquittoBroker mqtt = null;
      if (mosquittoInstalled()) {
        mqtt =
            progress.step(
                "MQTT broker (Mosquitto, installed)",
                () -> MosquittoBroker.start(BuildDirs.fresh("demo-mosquitto")),
                b -> "at tcp://" + b.host() + ":" + b.port());
        resources.push(mqtt);
      } else {
        progress.note(
            "MQTT broker: none. Mosquitto is not installed (apt-get install mosquitto), and the"
                + " embedded HiveMQ broker does not run on this classpath; the fleet writes to"
                + " Kafka directly, without the bridge, shadows or commands.");
      }

      InfluxDbProcess influx = null;
      if (influxInstalled()) {
        influx =
            progress.step(
                "InfluxDB (influxd, own data folder)",
                () -> {
                  InfluxDbProcess p = InfluxDbProcess.start(BuildDirs.fresh("demo-influxdb"));
                  p.createDatabase("fleetpulse");
                  return p;
                },
                p -> "at " + p.url() + ", database fleetpulse");
        resources.push(influx);
      } else {
        progress.note(
            "InfluxDB: not installed (apt-get install influxdb); aggregates go to Kafka and the"
                + " archive only.");
      }

      SimulatorConfig simConfig = null;
      DeviceSimulator simulator = null;
      if (mqtt != null) {
        simConfig =
            SimulatorConfig.of(
                Map.of(
                    "devices", String.valueOf(o.devices()),
                    "rate", String.valueOf(o.rate()),
                    "broker", "tcp://" + mqtt.host() + ":" + mqtt.port(),
                    "anomalies", "true",
                    "offline-fraction", o.offlineFraction()),
                o.behaviour());
        simulator = new DeviceSimulator(simConfig);
        List<ProducerRecord<byte[], byte[]>> registry = new ArrayList<>();
        for (Device d : simulator.registry()) {
          registry.add(
              new ProducerRecord<>(
                  FleetTopics.DEVICES.name(),
                  d.getDeviceId().getBytes(StandardCharsets.UTF_8),
                  ModelJson.toBytes(d)));
        }
        admin.produce(registry);
      }

      MqttBridge bridge = null;
      if (mqtt != null) {
        MosquittoBroker broker = mqtt;
        bridge =
            progress.step(
                "MQTT bridge",
                () ->
                    MqttBridge.builder()
                        .config(
                            MqttBridgeConfig.load(
                                new String[] {
                                  "--kafka.bootstrap.servers",
                                  bootstrap,
                                  "--mqtt.host",
                                  broker.host(),
                                  "--mqtt.port",
                                  String.valueOf(broker.port()),
                                  "--http.port",
                                  "0"
                                },
                                Map.of()))
                        .build()
                        .start(),
                b -> "health and metrics at http://127.0.0.1:" + b.httpPort());
        resources.push(bridge);
      }

      int uiPort = FreePorts.pick();
      DemoCluster cluster =
          progress.step(
              "Flink MiniCluster", () -> new DemoCluster(uiPort, 16), c -> "web UI on " + uiPort);
      resources.push(cluster);
      Path archive = BuildDirs.fresh("demo-archive");
      InfluxDbProcess influxDb = influx;
      progress.step(
          "TelemetryJob",
          () -> {
            List<String> args =
                new ArrayList<>(
                    List.of(
                        "--kafka.bootstrap.servers",
                        bootstrap,
                        "--window.size",
                        o.window().toMillis() + "ms",
                        "--watermark.out-of-orderness",
                        "5s",
                        "--watermark.idleness",
                        "5s",
                        "--checkpoint.interval",
                        "10s",
                        "--archive.path",
                        archive.toUri().toString()));
            if (influxDb != null) {
              args.addAll(List.of("--influx.url", influxDb.url(), "--influx.db", "fleetpulse"));
            }
            TelemetryJobConfig config =
                TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
            StreamExecutionEnvironment env =
                JobEnvironment.create(TelemetryJob.flinkConfiguration(config));
            TelemetryJob.kafkaJob(config, false).build(env);
            cluster.submit(env, "FleetPulse TelemetryJob");
            return archive;
          },
          a -> "archive in " + a);
      progress.step(
          "AnomalyJob",
          () -> {
            Path rules = archive.getParent().resolve("demo-anomaly-rules.json");
            Files.writeString(
                rules,
                "{\"rules\":[{\"name\":\"vibration_high\",\"kind\":\"THRESHOLD\","
                    + "\"metric\":\"vibration\",\"max\":8,\"clearMax\":5,\"for\":\"3s\","
                    + "\"severity\":\"CRITICAL\"}]}",
                StandardCharsets.UTF_8);
            AnomalyJobConfig config =
                AnomalyJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers",
                      bootstrap,
                      "--anomaly.rules-file",
                      rules.toString(),
                      "--checkpoint.interval",
                      "10s",
                      "--offline.heartbeat-factor",
                      "3"
                    },
                    Map.of());
            StreamExecutionEnvironment env =
                JobEnvironment.create(AnomalyJob.flinkConfiguration(config));
            AnomalyJob.kafkaJob(config).build(env);
            cluster.submit(env, "FleetPulse AnomalyJob");
            return rules;
          },
          r -> "offline detector, vibration_high rule, the alert lifecycle");
      progress.step(
          "ShadowJob",
          () -> {
            ShadowJobConfig config =
                ShadowJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", bootstrap, "--checkpoint.interval", "10s"
                    },
                    Map.of());
            StreamExecutionEnvironment env =
                JobEnvironment.create(ShadowJob.flinkConfiguration(config));
            ShadowJob.kafkaJob(config).build(env);
            cluster.submit(env, "FleetPulse ShadowJob");
            return "iot.shadows, iot.shadow.delta, iot.shadow.responses";
          },
          t -> t);
      progress.step(
          "SqlRulesJob",
          () -> {
            Path sqlDir = sqlDir();
            SqlRulesConfig config =
                SqlRulesConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", bootstrap, "--sql.dir", sqlDir.toString()
                    },
                    Map.of());
            RuleSet set = RuleSet.load(sqlDir).only(config.rules());
            StreamExecutionEnvironment env =
                JobEnvironment.create(
                    JobEnvironment.configuration(config.checkpointInterval(), "hashmap", null));
            StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
            ((StreamStatementSet) SqlRulesJob.statements(tEnv, set, config)).attachAsDataStream();
            cluster.submit(env, "FleetPulse SqlRulesJob");
            return set.rules().size();
          },
          n -> n + " rules from " + sqlDir());

      String apiKey = "demo-" + HexFormat.of().formatHex(SecureRandom.getSeed(8));
      int apiPort = portOrFree(o.apiPort());
      List<String> apiArgs =
          new ArrayList<>(
              List.of(
                  "--kafka.bootstrap.servers",
                  bootstrap,
                  "--http.host",
                  "127.0.0.1",
                  "--http.port",
                  String.valueOf(apiPort),
                  "--auth.api-keys",
                  apiKey + "=admin"));
      if (influx != null) {
        // The metrics routes (and the dashboard's charts) read what the TelemetryJob wrote.
        apiArgs.addAll(List.of("--influx.url", influx.url(), "--influx.db", "fleetpulse"));
      }
      ShadowApi api =
          progress.step(
              "API",
              () ->
                  new ShadowApi(ShadowApiConfig.load(apiArgs.toArray(String[]::new), Map.of()))
                      .start(),
              a -> "on port " + a.port());
      resources.push(api);

      LiveSummary summary = new LiveSummary(bootstrap).start();
      resources.push(summary);
      AutoCloseable feeder;
      if (simulator != null) {
        DeviceSimulator sim = simulator;
        SimulatorConfig sc = simConfig;
        feeder =
            progress.step(
                "Device simulator",
                sim::start,
                x ->
                    String.format(
                        "%d devices over MQTT, one report every %d ms each, anomalies on, %s"
                            + " offline",
                        sc.devices, sc.intervalMillis(), o.offlineFraction()));
      } else {
        feeder =
            progress.step(
                "Simulated fleet (to Kafka)",
                () ->
                    new io.fleetpulse.devstack.fleet.FleetFeeder(
                            new io.fleetpulse.devstack.fleet.SimulatedFleet(o.devices(), "sim"),
                            admin.producer(),
                            FleetTopics.TELEMETRY_RAW.name())
                        .start(Duration.ofSeconds(1)),
                f -> o.devices() + " devices, every second");
      }
      resources.push(feeder);

      String apiUrl = "http://127.0.0.1:" + api.port();
      out.println();
      out.println("  API          " + apiUrl + "   (key: " + apiKey + ", role admin)");
      out.println(
          "               curl -H 'Authorization: Bearer "
              + apiKey
              + "' '"
              + apiUrl
              + "/alerts?state=OPEN'");
      if (DemoDashboard.present()) {
        out.println("  Dashboard    " + apiUrl + "/dashboard/?key=" + apiKey);
      }
      out.println("  Flink web UI http://127.0.0.1:" + uiPort);
      if (influx != null) {
        out.println("  InfluxDB     " + influx.url() + "  (database fleetpulse, InfluxQL)");
      }
      out.println("  Archive      " + archive + "  (Parquet, committed on checkpoints)");
      out.println(
          o.runFor().isZero()
              ? "Ctrl-C stops everything."
              : "Running for " + o.runFor().toSeconds() + " s.");

      long end = o.runFor().isZero() ? Long.MAX_VALUE : System.nanoTime() + o.runFor().toNanos();
      long lastSent = sent(simulator, feeder);
      long lastPrinted = System.nanoTime();
      String stoppedJob = null;
      while (System.nanoTime() < end && !stop.await(1, TimeUnit.SECONDS)) {
        long now = sent(simulator, feeder);
        long rate = now - lastSent;
        lastSent = now;
        stoppedJob = cluster.stoppedJob();
        String line = summaryLine(rate, simulator, o.devices(), summary);
        if (inPlace) {
          out.print("\r\033[K" + line);
          out.flush();
        } else if (System.nanoTime() - lastPrinted >= TimeUnit.SECONDS.toNanos(10)) {
          out.println(line);
          lastPrinted = System.nanoTime();
        }
        if (stoppedJob != null) {
          out.println();
          out.println("A job stopped: " + stoppedJob + "; see the Flink web UI. Stopping.");
          break;
        }
      }
      if (inPlace) {
        out.println();
      }
      Outcome outcome =
          new Outcome(
              cluster.running(),
              sent(simulator, feeder),
              summary.aggregates(),
              summary.distinctAlerts(),
              summary.alertsByRule(),
              apiUrl,
              apiKey,
              simulator != null);
      out.printf(
          "Stopping: %d messages sent, %d aggregates, %d alerts (%s), %d dead letters.%n",
          outcome.telemetrySent(),
          outcome.aggregates(),
          outcome.distinctAlerts(),
          outcome.alertsByRule(),
          summary.deadLetters());
      return outcome;
    } finally {
      long began = System.nanoTime();
      while (!resources.isEmpty()) {
        try {
          resources.pop().close();
        } catch (Exception e) {
          out.println("  (while stopping: " + e + ")");
        }
      }
      out.printf("Stopped everything in %.1f s.%n", (System.nanoTime() - began) / 1_000_000_000.0);
    }
  }

  /** Creates every FleetPulse topic (the registries compacted); returns their names. */
  static List<String> createTopics(KafkaTestClient admin, int partitions) {
    List<String> all = new ArrayList<>();
    List<String> compacted = new ArrayList<>();
    for (FleetTopics.Topic t : FleetTopics.ALL) {
      all.add(t.name());
      if (t.compacted()) {
        compacted.add(t.name());
      }
    }
    admin.createTopics(partitions, all, compacted);
    return all;
  }

  private static long sent(DeviceSimulator simulator, AutoCloseable feeder) {
    if (simulator != null) {
      return simulator.stats().telemetry();
    }
    return ((io.fleetpulse.devstack.fleet.FleetFeeder) feeder).sent();
  }

  private static String summaryLine(
      long rate, DeviceSimulator simulator, int devices, LiveSummary summary) {
    long online = simulator != null ? simulator.stats().online() : devices;
    Map<AlertSeverity, Integer> open = summary.openBySeverity();
    String line =
        String.format(
            "%s  %4d msg/s | devices %d online, %d offline (%d offline alerts) | open alerts:"
                + " %d critical, %d warning, %d info | last: %s",
            CLOCK.format(java.time.Instant.now()),
            rate,
            online,
            devices - online,
            summary.openOffline(),
            open.get(AlertSeverity.CRITICAL),
            open.get(AlertSeverity.WARNING),
            open.get(AlertSeverity.INFO),
            summary.lastAlert());
    return line.length() > 200 ? line.substring(0, 197) + "..." : line;
  }

  private static boolean mosquittoInstalled() {
    String bin = MosquittoBroker.binary();
    if (bin.contains("/")) {
      return Files.isExecutable(Path.of(bin));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, bin))) {
        return true;
      }
    }
    return false;
  }

  private static boolean influxInstalled() {
    if (Files.isExecutable(Path.of("/usr/bin/influxd"))) {
      return true;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "influxd"))) {
        return true;
      }
    }
    return false;
  }

  private static Path sqlDir() {
    for (Path candidate : List.of(Path.of("sql"), Path.of("..", "sql"))) {
      if (Files.isDirectory(candidate.resolve("rules"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no sql/rules folder here: run the demo from the repository");
  }

  private static int portOrFree(int wanted) {
    if (wanted == 0) {
      return FreePorts.pick();
    }
    try (ServerSocket s = new ServerSocket(wanted)) {
      return wanted;
    } catch (Exception e) {
      return FreePorts.pick();
    }
  }

  /** One line per component: when it started, how long it took, where it is. */
  static final class Progress {
    private final PrintStream out;
    private final CountDownLatch stop;

    Progress(PrintStream out, CountDownLatch stop) {
      this.out = out;
      this.stop = stop;
    }

    /**
     * Starts one component, unless a stop came meanwhile: then {@link StoppedWhileStarting}, and
     * the caller closes what is already up.
     */
    <T> T step(String name, Callable<T> start, java.util.function.Function<T, String> where)
        throws Exception {
      if (stop.getCount() == 0) {
        throw new StoppedWhileStarting(name);
      }
      String at = CLOCK.format(LocalTime.now(ZoneOffset.UTC));
      long began = System.nanoTime();
      T value = start.call();
      out.printf(
          "  %s %-34s %5.1f s  %s%n",
          at, name, (System.nanoTime() - began) / 1_000_000_000.0, where.apply(value));
      return value;
    }

    void note(String text) {
      out.println("  " + CLOCK.format(LocalTime.now(ZoneOffset.UTC)) + " " + text);
    }
  }
}
