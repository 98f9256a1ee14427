package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An upgrade from a savepoint: the job is stopped with a savepoint and started again from it with a
 * changed setting that is not state; its windows, dedupe and closed markers go on as if it had
 * never stopped. And the uids that make this possible are the documented ones.
 */
@ExtendWith(KafkaExtension.class)
class TelemetrySavepointUpgradeIT {

  private static final long MINUTE = TestTimes.MINUTE;

  /** The uids of TelemetryJob's operators: changing one loses its state on upgrade (README). */
  static final Set<String> UIDS =
      Set.of(
          "telemetry-source",
          "telemetry-validate",
          "device-registry-source",
          "telemetry-device",
          "telemetry-dlq-originals",
          "telemetry-dlq-sink",
          "telemetry-aggregate-sink",
          "telemetry-enriched-sink");

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void windowsDedupeAndClosedMarkersSurviveAStopWithSavepointAndARestartWithOtherSettings(
      KafkaTestClient kafka) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig before = config(kafka, run, "2m");
    kafka.createTopics(1, before.topics(), List.of(before.devicesTopic()));
    long t0 = TestTimes.minuteAlignedHourAgo();
    String raw = before.rawTopic();

    JobClient first = start(before, null);
    String savepoint;
    try {
      kafka.produce(
          List.of(
              record(raw, t0 + 1_000, 1, 10.0),
              // Closes [t0, t0+1m) of d and opens [t0+1m, t0+2m).
              record(raw, t0 + MINUTE + 6_000, 2, 11.0),
              record(raw, t0 + MINUTE + 7_000, 3, 12.0)));
      assertThat(kafka.consume(before.aggregateTopic(), 1, Duration.ofSeconds(60))).hasSize(1);
    } finally {
      savepoint =
          first
              .stopWithSavepoint(
                  false,
                  BuildDirs.fresh("telemetry-savepoint").toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get();
    }

    // The upgrade: another idle timeout (not state), the same uids.
    TelemetryJobConfig after = config(kafka, run, "3m");
    JobClient second = start(after, savepoint);
    try {
      kafka.produce(
          List.of(
              // A repeat of seq 3: the dedupe ring came through the savepoint.
              record(raw, t0 + MINUTE + 7_000, 3, 12.0),
              // For the window closed before the stop: late, the closed marker came through.
              record(raw, t0 + 2_000, 4, 99.0),
              // Closes [t0+1m, t0+2m), which holds the readings of before the stop.
              record(raw, t0 + 2 * MINUTE + 6_000, 5, 13.0)));

      List<TelemetryAggregate> aggregates =
          kafka.consume(after.aggregateTopic(), 2, Duration.ofSeconds(60)).stream()
              .map(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
              .toList();
      assertThat(aggregates)
          .extracting(
              TelemetryAggregate::getWindowStart,
              TelemetryAggregate::getCount,
              TelemetryAggregate::getAvg)
          .containsExactly(Tuple.tuple(t0, 1L, 10.0), Tuple.tuple(t0 + MINUTE, 2L, 11.5));
      List<ConsumerRecord<byte[], byte[]>> dlq =
          kafka.consume(after.deadLetterTopic(), 1, Duration.ofSeconds(60));
      assertThat(dlq).hasSize(1);
      assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("late");
      assertThat(header(dlq.get(0), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("4");
      // Nothing more: no second aggregate of a window, no duplicate passed on.
      assertThat(kafka.consumeFor(after.aggregateTopic(), Duration.ofSeconds(2))).hasSize(2);
    } finally {
      second.cancel().get();
    }
  }

  @Test
  void everyOperatorHasItsDocumentedUid() {
    TelemetryJobConfig config =
        TelemetryJobConfig.load(
            new String[] {"--kafka.bootstrap.servers", "127.0.0.1:1"}, Map.of());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TelemetryJob.flinkConfiguration(config));
    TelemetryJob.kafkaJob(config, false).build(env);

    Set<String> uids = new TreeSet<>();
    List<String> without = new ArrayList<>();
    for (StreamNode node : env.getStreamGraph(false).getStreamNodes()) {
      if (node.getTransformationUID() == null) {
        without.add(node.getOperatorName());
      } else {
        uids.add(node.getTransformationUID());
      }
    }
    assertThat(without).isEmpty();
    assertThat(uids).containsAll(UIDS);
  }

  private static JobClient start(TelemetryJobConfig config, String savepoint) throws Exception {
    Configuration conf = new Configuration(TelemetryJob.flinkConfiguration(config));
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env = JobEnvironment.create(conf);
    env.setParallelism(2);
    TelemetryJob.kafkaJob(config, false).build(env);
    return env.executeAsync("telemetry-savepoint-it");
  }

  private static TelemetryJobConfig config(KafkaTestClient kafka, String run, String idle) {
    return TelemetryJobConfig.load(
        new String[] {
          "--kafka.bootstrap.servers", kafka.bootstrapServers(),
          "--kafka.group.id", "telemetry-savepoint-" + run,
          "--topic.telemetry.raw", "raw-" + run,
          "--topic.telemetry.dlq", "dlq-" + run,
          "--topic.telemetry.agg", "agg-" + run,
          "--topic.devices", "devices-" + run,
          "--watermark.out-of-orderness", "5s",
          "--window.idle-timeout", idle,
          "--checkpoint.interval", "500ms"
        },
        Map.of());
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, long ts, long seq, double v) {
    return new ProducerRecord<>(
        topic,
        0,
        "d".getBytes(UTF_8),
        ModelJson.toBytes(new Telemetry("d", ts, seq, Map.of("temperature", v))));
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
