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
import java.io.File;
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
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The jobs jar on a real multi-process Flink cluster (a standalone JobManager and TaskManager, each
 * its own JVM), submitted as {@code flink run} submits it; the TelemetryJob and the AnomalyJob run
 * with checkpoints while the scripted fleet's telemetry flows; the TaskManager is killed with
 * {@code kill -9} and a new one started: both jobs restore from their last checkpoint and their
 * results are complete and exact, with no alert id but the expected ones.
 */
@ExtendWith({KafkaExtension.class, InfluxDbExtension.class})
class FlinkClusterIT {

  private static final int DEVICES = 12;
  private static final long WINDOW_MS = 10_000;
  private static final String DB = "e2e_cluster";
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @Test
  void bothJobsRecoverFromTheirCheckpointsWhenTheTaskManagerIsKilledAndLoseNothing(
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
        try {
          for (JobID job : List.of(telemetry, anomaly)) {
            await(cluster, "job " + job + " running", () -> running(cluster, job));
          }
          produce(kafka, script, 0, 30);
          // The closing round's windows stay open.
          String query =
              FleetScript.INFLUX_AGGREGATES + " WHERE time < " + script.scriptEnd() + "ms";
          await(cluster, "the first aggregates", () -> !influx.query(DB, query).isEmpty());
          long telemetryDone = completed(cluster, telemetry);
          long anomalyDone = completed(cluster, anomaly);
          await(
              cluster,
              "a checkpoint of each job with traffic in it",
              () ->
                  completed(cluster, telemetry) > telemetryDone
                      && completed(cluster, anomaly) > anomalyDone);

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

          for (JobID job : List.of(telemetry, anomaly)) {
            await(
                cluster,
                "job " + job + " restored from a checkpoint and running",
                () -> restored(cluster, job) && running(cluster, job));
          }

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

          Set<String> transitions = script.expectedTransitions(true);
          Set<String> seen = new TreeSet<>();
          await(
              cluster,
              "every alert transition",
              () -> {
                seen.clear();
                seen.addAll(alerts(kafka));
                return seen.equals(transitions);
              });
          assertThat(alerts(kafka)).as("alert transitions a moment later").isEqualTo(transitions);
        } finally {
          for (JobID job : List.of(telemetry, anomaly)) {
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
    File jar = new File(System.getProperty("fleetpulse.jobs.jar"));
    assertThat(jar).as("the shaded jobs jar (built by the jobs module)").isFile();
    PackagedProgram program =
        PackagedProgram.newBuilder()
            .setJarFile(jar)
            .setEntryPointClassName(mainClass)
            .setArguments(args)
            .build();
    JobGraph graph = PackagedProgramUtils.createJobGraph(program, new Configuration(), 1, false);
    return client.submitJob(graph).get(120, TimeUnit.SECONDS);
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

  /** "alertId STATE" of every record on the alert topic. */
  private static Set<String> alerts(KafkaTestClient kafka) {
    Set<String> out = new TreeSet<>();
    for (ConsumerRecord<byte[], byte[]> r :
        kafka.consumeFor(FleetTopics.ALERTS.name(), Duration.ofSeconds(1))) {
      Alert a = ModelJson.fromBytes(r.value(), Alert.class);
      out.add(a.getAlertId() + " " + a.getState());
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
