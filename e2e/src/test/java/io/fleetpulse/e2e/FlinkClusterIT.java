package io.fleetpulse.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import io.fleetpulse.sql.RuleSet;
import io.fleetpulse.sql.SqlRulesConfig;
import io.fleetpulse.sql.SqlRulesJob;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The jobs jar on a real multi-process Flink cluster (a standalone JobManager and TaskManager, each
 * its own JVM), submitted as {@code flink run} submits it, and the analysts' SQL rule as {@code
 * sql-client.sh -j jobs.jar} submits it; the TelemetryJob, the AnomalyJob, the ShadowJob (on
 * RocksDB) and the SqlRulesJob run with checkpoints while the scripted fleet's telemetry flows and
 * a shadow changes; the TaskManager is killed with {@code kill -9} and a new one started: every job
 * restores from its last checkpoint and the results are complete and exact, with no alert id but
 * the expected ones, and the shadow goes on from its version before the crash.
 */
@ExtendWith({KafkaExtension.class, InfluxDbExtension.class})
class FlinkClusterIT {

  private static final int DEVICES = 12;
  private static final long WINDOW_MS = 10_000;
  private static final String DB = "e2e_cluster";
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final int SHADOW_DEVICE = 5;

  @Test
  void everyJobRecoversFromItsCheckpointsWhenTheTaskManagerIsKilledAndLosesNothing(
      KafkaTestClient kafka, InfluxDbProcess influx) throws Exception {
    FleetScript script = new FleetScript(DEVICES, "fc", TestTimes.minuteAlignedHourAgo(), 2);
    Path dir = BuildDirs.fresh("flink-cluster");
    script.setUpKafka(kafka);
    influx.dropDatabase(DB);
    influx.createDatabase(DB);
    Path rules = dir.resolve("rules.json");
    Files.writeString(rules, FleetScript.RULES, UTF_8);
    String checkpoints = Files.createDirectories(dir.resolve("checkpoints")).toUri().toString();

    try (StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(dir, 4)) {
      cluster.startTaskManager();
      Configuration clientConf = new Configuration();
      clientConf.set(RestOptions.ADDRESS, "127.0.0.1");
      clientConf.set(RestOptions.PORT, cluster.restPort());
      try (RestClusterClient<StandaloneClusterId> client =
          new RestClusterClient<>(clientConf, StandaloneClusterId.getInstance())) {
        JobID telemetry =
            submit(
                client,
                "io.fleetpulse.jobs.telemetry.TelemetryJob",
                "--kafka.bootstrap.servers",
                kafka.bootstrapServers(),
                "--window.size",
                WINDOW_MS + "ms",
                "--watermark.out-of-orderness",
                "2s",
                "--checkpoint.interval",
                "1s",
                "--checkpoint.dir",
                checkpoints + "telemetry",
                "--influx.url",
                influx.url(),
                "--influx.db",
                DB,
                "--influx.flush-interval",
                "200ms");
        JobID anomaly =
            submit(
                client,
                "io.fleetpulse.jobs.anomaly.AnomalyJob",
                "--kafka.bootstrap.servers",
                kafka.bootstrapServers(),
                "--anomaly.rules-file",
                rules.toString(),
                "--offline.heartbeat-factor",
                String.valueOf(FleetScript.HEARTBEAT_FACTOR),
                "--offline.default-heartbeat",
                "60s",
                "--alert.update-interval",
                "1h",
                "--checkpoint.interval",
                "1s",
                "--checkpoint.dir",
                checkpoints + "anomaly");
        JobID shadow =
            submit(
                client,
                "io.fleetpulse.jobs.shadow.ShadowJob",
                "--kafka.bootstrap.servers",
                kafka.bootstrapServers(),
                "--state.backend",
                "ROCKSDB",
                "--checkpoint.interval",
                "1s",
                "--checkpoint.dir",
                checkpoints + "shadow");
        JobID sqlRules = submitRules(cluster, kafka.bootstrapServers(), checkpoints + "sql-rules");
        List<JobID> jobs = List.of(telemetry, anomaly, shadow, sqlRules);
        try {
          for (JobID job : jobs) {
            await(cluster, "job " + job + " running", () -> running(cluster, job));
          }
          String device = script.deviceId(SHADOW_DEVICE);
          // An application sets desired state; the device reports it: version 2, no delta.
          shadowRequest(kafka, FleetTopics.SHADOW_DESIRED, device, "{\"led\":\"on\"}", null, "c1");
          await(cluster, "the desired change accepted", () -> accepted(kafka, "c1") == 1);
          shadowRequest(kafka, FleetTopics.SHADOW_REPORTED, device, "{\"led\":\"on\"}", null, "c2");
          await(cluster, "the device's report accepted", () -> accepted(kafka, "c2") == 2);
          produce(kafka, script, 0, 30);
          // The closing round's windows stay open.
          String query =
              FleetScript.INFLUX_AGGREGATES + " WHERE time < " + script.scriptEnd() + "ms";
          await(cluster, "the first aggregates", () -> !influx.query(DB, query).isEmpty());
          Map<JobID, Long> done = new HashMap<>();
          jobs.forEach(job -> done.put(job, completed(cluster, job)));
          await(
              cluster,
              "a checkpoint of each job with traffic in it",
              () -> jobs.stream().allMatch(job -> completed(cluster, job) > done.get(job)));

          produce(kafka, script, 30, 45);
          cluster.killTaskManager();
          cluster.startTaskManager();
          produce(kafka, script, 45, FleetScript.ROUNDS);
          List<ProducerRecord<byte[], byte[]>> closing = new ArrayList<>();
          script
              .closingRound()
              .forEach(
                  t -> closing.add(SimulatedFleet.toRecord(FleetTopics.TELEMETRY_RAW.name(), t)));
          kafka.produce(closing);

          for (JobID job : jobs) {
            await(
                cluster,
                "job " + job + " restored from a checkpoint and running",
                () -> restored(cluster, job) && running(cluster, job));
          }

          // Only a shadow restored at version 2 takes an update made for version 2.
          shadowRequest(kafka, FleetTopics.SHADOW_DESIRED, device, "{\"led\":\"off\"}", 2L, "c3");
          await(cluster, "the change after the crash accepted", () -> accepted(kafka, "c3") == 3);
          JsonNode document = lastShadow(kafka, device);
          assertThat(document.path("version").asLong()).as("%s", document).isEqualTo(3);
          assertThat(document.path("state").path("desired").path("led").asText()).isEqualTo("off");
          assertThat(document.path("state").path("reported").path("led").asText()).isEqualTo("on");
          assertThat(document.path("state").path("delta").path("led").asText()).isEqualTo("off");

          Map<String, List<Double>> expected = script.expectedAggregates(WINDOW_MS);
          await(
              cluster,
              "every window in InfluxDB",
              () -> influx.query(DB, query).size() >= expected.size());
          assertThat(FleetScript.aggregates(influx.query(DB, query))).isEqualTo(expected);

          // The Kafka sink is at least once: a replayed window may come twice, but always equal.
          Map<String, Set<List<Double>>> inKafka = new HashMap<>();
          await(
              cluster,
              "every window on " + FleetTopics.TELEMETRY_AGG.name(),
              () -> {
                inKafka.clear();
                for (ConsumerRecord<byte[], byte[]> r :
                    kafka.consumeFor(FleetTopics.TELEMETRY_AGG.name(), Duration.ofSeconds(1))) {
                  TelemetryAggregate a = ModelJson.fromBytes(r.value(), TelemetryAggregate.class);
                  if (a.getWindowStart() < script.scriptEnd()) {
                    inKafka
                        .computeIfAbsent(ExpectedAggregates.key(a), k -> new HashSet<>())
                        .add(FleetScript.values(a));
                  }
                }
                return inKafka.size() >= expected.size();
              });
          Map<String, Set<List<Double>>> once = new HashMap<>();
          expected.forEach((key, v) -> once.put(key, Set.of(v)));
          assertThat(inKafka).isEqualTo(once);

          Set<String> transitions = new TreeSet<>(script.expectedTransitions(true));
          transitions.addAll(script.expectedSqlTransitions());
          Set<String> seen = new TreeSet<>();
          try {
            StandaloneFlinkCluster.await(
                "every alert transition",
                PATIENCE,
                () -> {
                  seen.clear();
                  seen.addAll(alerts(kafka, script));
                  return seen.containsAll(transitions);
                });
          } catch (AssertionError e) {
            Set<String> missing = new TreeSet<>(transitions);
            missing.removeAll(seen);
            throw new AssertionError(e.getMessage() + ": missing " + missing + " of " + seen, e);
          }
          assertThat(alerts(kafka, script))
              .as(
                  () ->
                      "alert transitions a moment later; unexpected: "
                          + unexpected(kafka, transitions))
              .isEqualTo(transitions);
        } finally {
          for (JobID job : jobs) {
            try {
              client.cancel(job).get(30, TimeUnit.SECONDS);
            } catch (Exception ended) {
              // Already ended; the cluster's processes are stopped next anyway.
            }
          }
        }
      }
    }
  }

  /** Submits the jobs jar's {@code mainClass} as {@code flink run -c mainClass jar args} does. */
  private static JobID submit(RestClusterClient<?> client, String mainClass, String... args)
      throws Exception {
    File jar = jobsJar();
    PackagedProgram program =
        PackagedProgram.newBuilder()
            .setJarFile(jar)
            .setEntryPointClassName(mainClass)
            .setArguments(args)
            .build();
    JobGraph graph = PackagedProgramUtils.createJobGraph(program, new Configuration(), 1, false);
    return client.submitJob(graph).get(120, TimeUnit.SECONDS);
  }

  /**
   * Submits the analysts' SQL rule as {@code sql-client.sh -j jobs.jar} does: the statements are
   * planned here, the Kafka connector taken from the jobs jar, which is shipped with the job.
   */
  private static JobID submitRules(
      StandaloneFlinkCluster cluster, String bootstrap, String checkpointDir) throws Exception {
    File jar = jobsJar();
    Path sqlDir = Path.of("..", "sql");
    SqlRulesConfig config =
        SqlRulesConfig.load(
            new String[] {
              "--kafka.bootstrap.servers",
              bootstrap,
              "--sql.dir",
              sqlDir.toString(),
              "--sql.rules",
              FleetScript.SQL_RULE
            },
            Map.of());
    RuleSet set = RuleSet.load(sqlDir).only(config.rules());
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createRemoteEnvironment(
            "127.0.0.1", cluster.restPort(), conf, jar.getPath());
    try (URLClassLoader withConnectors =
        new URLClassLoader(
            new URL[] {jar.toURI().toURL()}, FlinkClusterIT.class.getClassLoader())) {
      StreamTableEnvironment tEnv =
          StreamTableEnvironment.create(
              env,
              EnvironmentSettings.newInstance()
                  .inStreamingMode()
                  .withClassLoader(withConnectors)
                  .build());
      TableResult result = SqlRulesJob.statements(tEnv, set, config).execute();
      return result.getJobClient().orElseThrow().getJobID();
    }
  }

  /** A shadow update of {@code state} ({@code desired} or {@code reported} by the topic). */
  private static void shadowRequest(
      KafkaTestClient kafka,
      FleetTopics.Topic topic,
      String device,
      String state,
      Long version,
      String clientToken) {
    String side = topic.equals(FleetTopics.SHADOW_DESIRED) ? "desired" : "reported";
    String body =
        "{\"state\":{\""
            + side
            + "\":"
            + state
            + "}"
            + (version == null ? "" : ",\"version\":" + version)
            + ",\"clientToken\":\""
            + clientToken
            + "\"}";
    kafka.produce(
        List.of(new ProducerRecord<>(topic.name(), device.getBytes(UTF_8), body.getBytes(UTF_8))));
  }

  /** The version the ShadowJob accepted the request {@code clientToken} with, or -1. */
  private static long accepted(KafkaTestClient kafka, String clientToken) {
    for (ConsumerRecord<byte[], byte[]> r :
        kafka.consumeFor(FleetTopics.SHADOW_RESPONSES.name(), Duration.ofMillis(500))) {
      JsonNode body = json(r.value());
      Header kind = r.headers().lastHeader("shadow.response");
      if (clientToken.equals(body.path("clientToken").asText())) {
        if (kind == null || !new String(kind.value(), UTF_8).endsWith("/accepted")) {
          throw new AssertionError("request " + clientToken + " rejected: " + body);
        }
        return body.path("version").asLong();
      }
    }
    return -1;
  }

  /** The last document of {@code device}'s classic shadow on {@code iot.shadows}. */
  private static JsonNode lastShadow(KafkaTestClient kafka, String device) {
    JsonNode last = null;
    for (ConsumerRecord<byte[], byte[]> r :
        kafka.consumeFor(FleetTopics.SHADOWS.name(), Duration.ofSeconds(1))) {
      if (device.equals(new String(r.key(), UTF_8)) && r.value() != null) {
        last = json(r.value());
      }
    }
    assertThat(last).as("a shadow of " + device).isNotNull();
    return last;
  }

  private static JsonNode json(byte[] bytes) {
    try {
      return ModelJson.mapper().readTree(bytes);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + new String(bytes, UTF_8), e);
    }
  }

  private static File jobsJar() {
    File jar = new File(System.getProperty("fleetpulse.jobs.jar"));
    assertThat(jar).as("the shaded jobs jar (built by the jobs module)").isFile();
    return jar;
  }

  private static void produce(KafkaTestClient kafka, FleetScript script, int from, int to) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int r = from; r < to; r++) {
      for (Telemetry t : script.round(r)) {
        records.add(SimulatedFleet.toRecord(FleetTopics.TELEMETRY_RAW.name(), t));
      }
    }
    kafka.produce(records);
  }

  /**
   * "alertId STATE" of every record on the alert topic but the silences after the closing round
   * (the devices stop there: whether the check comes before those open is a matter of timing).
   */
  private static Set<String> alerts(KafkaTestClient kafka, FleetScript script) {
    Set<String> out = new TreeSet<>();
    for (ConsumerRecord<byte[], byte[]> r :
        kafka.consumeFor(FleetTopics.ALERTS.name(), Duration.ofSeconds(1))) {
      Alert a = ModelJson.fromBytes(r.value(), Alert.class);
      out.add(a.getAlertId() + " " + a.getState());
    }
    out.removeAll(script.silenceAfterTheClosingRound());
    return out;
  }

  /** The alert records whose "alertId STATE" is not among {@code expected}, for a failure. */
  private static List<String> unexpected(KafkaTestClient kafka, Set<String> expected) {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        kafka.consumeFor(FleetTopics.ALERTS.name(), Duration.ofSeconds(1))) {
      Alert a = ModelJson.fromBytes(r.value(), Alert.class);
      if (!expected.contains(a.getAlertId() + " " + a.getState())) {
        out.add(new String(r.value(), UTF_8));
      }
    }
    return out;
  }

  private static boolean running(StandaloneFlinkCluster cluster, JobID job) {
    try {
      JsonNode j = cluster.get("/jobs/" + job);
      if (!"RUNNING".equals(j.path("state").asText())) {
        return false;
      }
      for (JsonNode vertex : j.path("vertices")) {
        if (!"RUNNING".equals(vertex.path("status").asText())) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static long completed(StandaloneFlinkCluster cluster, JobID job) {
    try {
      return cluster.get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
    } catch (Exception e) {
      return -1;
    }
  }

  private static boolean restored(StandaloneFlinkCluster cluster, JobID job) {
    try {
      JsonNode restored =
          cluster.get("/jobs/" + job + "/checkpoints").path("latest").path("restored");
      return restored.isObject();
    } catch (Exception e) {
      return false;
    }
  }

  private static void await(
      StandaloneFlinkCluster cluster, String what, java.util.function.BooleanSupplier condition) {
    try {
      StandaloneFlinkCluster.await(what, PATIENCE, condition);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the cluster's logs:" + cluster.logs(), e);
    }
  }
}
