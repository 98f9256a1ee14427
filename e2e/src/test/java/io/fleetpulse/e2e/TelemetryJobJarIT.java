package io.fleetpulse.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.TelemetryAggregate;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Submits the built jobs jar the way {@code flink run} does, to a cluster whose classpath has Flink
 * and nothing of the job: proves the jar a user hands to a cluster is complete.
 */
@ExtendWith(KafkaExtension.class)
class TelemetryJobJarIT {

  private static final long MINUTE = 60_000L;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void jobsJarRunsTheTelemetryJobOnAClusterWithOnlyFlinkOnItsClasspath(
      KafkaTestClient kafka,
      @InjectClusterClient ClusterClient<?> cluster,
      @InjectMiniCluster MiniCluster flink)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String raw = "raw-" + run;
    String dlq = "dlq-" + run;
    String agg = "agg-" + run;
    String devices = "devices-" + run;
    String enriched = "enriched-" + run;
    kafka.createTopics(1, raw, dlq, agg, devices, enriched);
    File jar = new File(System.getProperty("fleetpulse.jobs.jar"));
    assertThat(jar).as("the shaded jobs jar (built by the jobs module)").isFile();
    PackagedProgram program =
        PackagedProgram.newBuilder()
            .setJarFile(jar)
            .setEntryPointClassName("io.fleetpulse.jobs.telemetry.TelemetryJob")
            .setArguments(
                "--kafka.bootstrap.servers",
                kafka.bootstrapServers(),
                "--kafka.group.id",
                "jar-it-" + run,
                "--topic.telemetry.raw",
                raw,
                "--topic.telemetry.dlq",
                dlq,
                "--topic.telemetry.agg",
                agg,
                "--topic.telemetry.enriched",
                enriched,
                "--topic.devices",
                devices,
                "--watermark.idleness",
                "1s",
                "--checkpoint.interval",
                "1s")
            .build();
    JobGraph graph = PackagedProgramUtils.createJobGraph(program, new Configuration(), 1, false);
    JobID job = cluster.submitJob(graph).get();
    try {
      long t0 = TestTimes.minuteAlignedHourAgo();
      SimulatedFleet fleet = new SimulatedFleet(2, "jar");
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      fleet.readings(t0, 1_000, 10).forEach(t -> records.add(SimulatedFleet.toRecord(raw, t)));
      // Each device's windows close on its own time: a reading of each two minutes later moves
      // that device past its first window.
      records.add(SimulatedFleet.toRecord(raw, fleet.reading(0, t0 + 2 * MINUTE, 99)));
      records.add(SimulatedFleet.toRecord(raw, fleet.reading(1, t0 + 2 * MINUTE, 99)));
      records.add(new ProducerRecord<>(raw, null, "not json".getBytes(UTF_8)));
      kafka.produce(records);

      List<ConsumerRecord<byte[], byte[]>> rejected = kafka.consume(dlq, 1, Duration.ofSeconds(30));
      assertThat(rejected).hasSize(1);
      assertThat(new String(rejected.get(0).headers().lastHeader("dlq.reason").value(), UTF_8))
          .isEqualTo("not_json");
      List<TelemetryAggregate> aggregates =
          kafka.consume(agg, 4, Duration.ofSeconds(90)).stream()
              .map(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
              .toList();
      assertThat(aggregates)
          .as("aggregates; the job's last failure: %s", lastFailure(flink, job))
          .hasSize(4);
      assertThat(aggregates).allSatisfy(a -> assertThat(a.getCount()).isEqualTo(10));
    } finally {
      cluster.cancel(job).get();
    }
  }

  private static String lastFailure(MiniCluster flink, JobID job) throws Exception {
    ErrorInfo failure = flink.getExecutionGraph(job).get().getFailureInfo();
    return failure == null ? "none" : failure.getExceptionAsString();
  }
}
