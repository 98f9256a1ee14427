package io.fleetpulse.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming run of the TelemetryJob from Kafka writes the archive; a replay of that archive in
 * BATCH mode gives exactly the aggregates the streaming run gave — and only those of the range.
 */
@ExtendWith(KafkaExtension.class)
class ArchiveReplayIT {

  private static final long MINUTE = 60_000L;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path archive;

  @Test
  void aReplayOfTheArchiveReproducesTheStreamingAggregatesExactly(KafkaTestClient kafka)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig live = config(kafka, "live-" + run);
    long t0 = TestTimes.minuteAlignedHourAgo();
    List<Telemetry> readings = new SimulatedFleet(30, "rep").readings(t0, 1_000, 300);
    // Shuffled within the out-of-orderness bound, as devices deliver: the streaming run copes, and
    // so must the replay of files written in whatever order the sink wrote them.
    Random random = new Random(7);
    List<Map.Entry<Long, Telemetry>> order = new ArrayList<>();
    readings.forEach(
        t -> order.add(Map.entry(t.getTs() + (long) (random.nextDouble() * 4_000), t)));
    order.sort(Map.Entry.comparingByKey());
    kafka.produce(
        order.stream().map(e -> SimulatedFleet.toRecord(live.rawTopic(), e.getValue())).toList());
    StreamExecutionEnvironment env = TestEnvironments.of(TelemetryJob.flinkConfiguration(live), 2);
    TelemetryJob.kafkaJob(live, true).build(env);
    env.execute("replay-it-live");
    int windows = 30 * 2 * 5;
    Map<String, TelemetryAggregate> streamed = aggregates(kafka, live, windows);
    assertThat(streamed).hasSize(windows);

    TelemetryJobConfig replay = config(kafka, "replay-" + run);
    StreamExecutionEnvironment batch = TestEnvironments.of(ArchiveReplay.configuration(replay), 2);
    ArchiveReplay.job(replay, Instant.ofEpochMilli(t0), Instant.ofEpochMilli(t0 + 5 * MINUTE))
        .build(batch);
    batch.execute("replay-it-batch");
    assertThat(aggregates(kafka, replay, windows)).isEqualTo(streamed);

    // Two minutes of the five: only their windows, the same as streamed.
    TelemetryJobConfig part = config(kafka, "part-" + run);
    StreamExecutionEnvironment partial = TestEnvironments.of(ArchiveReplay.configuration(part), 2);
    ArchiveReplay.job(
            part, Instant.ofEpochMilli(t0 + MINUTE), Instant.ofEpochMilli(t0 + 3 * MINUTE))
        .build(partial);
    partial.execute("replay-it-part");
    Map<String, TelemetryAggregate> expected =
        streamed.entrySet().stream()
            .filter(e -> e.getValue().getWindowStart() >= t0 + MINUTE)
            .filter(e -> e.getValue().getWindowStart() < t0 + 3 * MINUTE)
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertThat(aggregates(kafka, part, expected.size())).isEqualTo(expected);
  }

  private Map<String, TelemetryAggregate> aggregates(
      KafkaTestClient kafka, TelemetryJobConfig config, int n) {
    List<TelemetryAggregate> all =
        kafka.consume(config.aggregateTopic(), n, Duration.ofSeconds(60)).stream()
            .map(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
            .toList();
    assertThat(kafka.consumeFor(config.aggregateTopic(), Duration.ofMillis(500)))
        .as("no more than %d aggregates", n)
        .hasSize(n);
    return all.stream().collect(Collectors.toMap(ExpectedAggregates::key, Function.identity()));
  }

  private TelemetryJobConfig config(KafkaTestClient kafka, String run) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap.servers", kafka.bootstrapServers(),
                "--kafka.group.id", "replay-it-" + run,
                "--topic.telemetry.raw", "raw-" + run,
                "--topic.telemetry.dlq", "dlq-" + run,
                "--topic.telemetry.agg", "agg-" + run,
                "--topic.telemetry.enriched", "enriched-" + run,
                "--topic.devices", "devices-" + run,
                "--archive.path", archive.toUri().toString(),
                "--checkpoint.interval", "500ms"));
    TelemetryJobConfig config = TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
    kafka.createTopics(4, config.topics(), List.of(config.devicesTopic()));
    return config;
  }
}
