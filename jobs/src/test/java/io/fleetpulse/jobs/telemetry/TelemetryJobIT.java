package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.MalformedTelemetry;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(KafkaExtension.class)
class TelemetryJobIT {

  private static final long MINUTE = 60_000L;
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .build());

  @ParameterizedTest(name = "on the {0} state backend, {1} Kafka sinks")
  @CsvSource({"hashmap, AT_LEAST_ONCE", "rocksdb, EXACTLY_ONCE"})
  void aggregatesEveryDeviceMetricAndWindowExactlyAndDeadLettersEveryMalformedRecord(
      String stateBackend, String deliveryGuarantee, KafkaTestClient kafka) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig config =
        config(
            kafka,
            run,
            "--watermark.out-of-orderness",
            "5s",
            "--state.backend",
            stateBackend,
            "--kafka.delivery.guarantee",
            deliveryGuarantee,
            "--kafka.transactional-id-prefix",
            "telemetry-it-" + run);
    createTopics(kafka, config);
    long t0 = TestTimes.minuteAlignedHourAgo();
    List<Telemetry> valid = new SimulatedFleet(50, "dev").readings(t0, 1_000, 200);
    List<MalformedTelemetry.Sample> malformed = MalformedTelemetry.samples(500, t0);
    kafka.produce(shuffledWithinBound(valid, malformed, config.rawTopic(), 4_000));

    JobExecutionResult result = run(config, TelemetryJob.kafkaJob(config, true));

    Map<String, TelemetryAggregate> expected = expectedAggregates(valid);
    assertThat(expected).hasSize(50 * 2 * 4);
    List<TelemetryAggregate> actual =
        kafka.consume(config.aggregateTopic(), expected.size(), Duration.ofSeconds(60)).stream()
            .map(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
            .toList();
    assertThat(actual).hasSize(expected.size());
    assertThat(
            actual.stream().collect(Collectors.toMap(ExpectedAggregates::key, Function.identity())))
        .isEqualTo(expected);

    List<ConsumerRecord<byte[], byte[]>> dlq =
        kafka.consume(config.deadLetterTopic(), malformed.size(), Duration.ofSeconds(60));
    assertThat(dlq).hasSize(malformed.size());
    Map<String, String> expectedReasons = new HashMap<>();
    malformed.forEach(m -> expectedReasons.put(new String(m.payload(), UTF_8), m.reason().code()));
    Map<String, String> actualReasons = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : dlq) {
      actualReasons.put(new String(r.value(), UTF_8), header(r, DeadLetterHeaders.REASON));
      assertThat(header(r, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(config.rawTopic());
      assertThat(header(r, DeadLetterHeaders.SOURCE_OFFSET)).matches("\\d+");
      assertThat(header(r, DeadLetterHeaders.DETAIL)).isNotBlank();
      assertThat(header(r, DeadLetterHeaders.STAGE)).isEqualTo(TelemetryJob.STAGE);
    }
    assertThat(actualReasons).isEqualTo(expectedReasons);

    Map<String, Long> expectedCounts =
        malformed.stream()
            .collect(Collectors.groupingBy(m -> m.reason().code(), Collectors.counting()));
    assertThat(rejectedCountsByReason(result.getJobID())).isEqualTo(expectedCounts);
  }

  @Test
  void emptyPartitionsDoNotHoldBackWindows(KafkaTestClient kafka) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig config =
        config(kafka, run, "--watermark.idleness", "1s", "--watermark.out-of-orderness", "0s");
    createTopics(kafka, config);
    long t0 = TestTimes.minuteAlignedHourAgo();
    SimulatedFleet fleet = new SimulatedFleet(1, "lonely");
    // All data in partition 0; partitions 1-3 stay empty for the whole run.
    kafka.produce(
        List.of(
            onPartition0(config.rawTopic(), fleet.reading(0, t0 + 1_000, 1)),
            onPartition0(config.rawTopic(), fleet.reading(0, t0 + MINUTE + 1_000, 2))));

    JobClient job = start(config, TelemetryJob.kafkaJob(config, false));
    try {
      List<ConsumerRecord<byte[], byte[]>> closed =
          kafka.consume(config.aggregateTopic(), 2, Duration.ofSeconds(60));
      assertThat(closed)
          .extracting(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
          .extracting(TelemetryAggregate::getWindowStart)
          .containsOnly(t0);
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void telemetryAfterAQuietSpellIsNotTreatedAsLate(KafkaTestClient kafka) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig config =
        config(kafka, run, "--watermark.idleness", "1s", "--watermark.out-of-orderness", "0s");
    createTopics(kafka, config);
    long t0 = TestTimes.minuteAlignedHourAgo();
    SimulatedFleet fleet = new SimulatedFleet(1, "quiet");

    JobClient job = start(config, TelemetryJob.kafkaJob(config, false));
    try {
      // Long enough for every input, telemetry and registry alike, to be marked idle.
      Thread.sleep(4_000);
      kafka.produce(
          List.of(
              SimulatedFleet.toRecord(config.rawTopic(), fleet.reading(0, t0 + 1_000, 1)),
              SimulatedFleet.toRecord(config.rawTopic(), fleet.reading(0, t0 + 2_000, 2)),
              SimulatedFleet.toRecord(config.rawTopic(), fleet.reading(0, t0 + MINUTE, 3))));

      List<ConsumerRecord<byte[], byte[]>> closed =
          kafka.consume(config.aggregateTopic(), 2, Duration.ofSeconds(60));
      assertThat(closed)
          .extracting(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
          .extracting(TelemetryAggregate::getWindowStart, TelemetryAggregate::getCount)
          .containsOnly(org.assertj.core.groups.Tuple.tuple(t0, 2L));
      assertThat(kafka.consumeFor(config.deadLetterTopic(), Duration.ofSeconds(1))).isEmpty();
    } finally {
      job.cancel().get();
    }
  }

  private static void createTopics(KafkaTestClient kafka, TelemetryJobConfig config) {
    kafka.createTopics(4, config.topics(), List.of(config.devicesTopic()));
  }

  private static TelemetryJobConfig config(KafkaTestClient kafka, String run, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap.servers", kafka.bootstrapServers(),
                "--kafka.group.id", "telemetry-it-" + run,
                "--topic.telemetry.raw", "raw-" + run,
                "--topic.telemetry.dlq", "dlq-" + run,
                "--topic.telemetry.agg", "agg-" + run,
                "--topic.devices", "devices-" + run,
                "--checkpoint.interval", "1s"));
    args.addAll(List.of(extra));
    return TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
  }

  /** A test environment where generic (Kryo) types and restarts are failures. */
  private static StreamExecutionEnvironment environment(TelemetryJobConfig config) {
    return TestEnvironments.of(TelemetryJob.flinkConfiguration(config), 2);
  }

  private static JobExecutionResult run(TelemetryJobConfig config, TelemetryJob job)
      throws Exception {
    StreamExecutionEnvironment env = environment(config);
    job.build(env);
    return env.execute("telemetry-it");
  }

  private static JobClient start(TelemetryJobConfig config, TelemetryJob job) throws Exception {
    StreamExecutionEnvironment env = environment(config);
    job.build(env);
    return env.executeAsync("telemetry-it");
  }

  /**
   * Valid records in an order that is shuffled, but never by more than {@code boundMs} of event
   * time, with the malformed ones spread among them.
   */
  private static List<ProducerRecord<byte[], byte[]>> shuffledWithinBound(
      List<Telemetry> valid,
      List<MalformedTelemetry.Sample> malformed,
      String topic,
      long boundMs) {
    Random random = new Random(42);
    List<Map.Entry<Long, ProducerRecord<byte[], byte[]>>> keyed = new ArrayList<>();
    for (Telemetry t : valid) {
      keyed.add(
          Map.entry(
              t.getTs() + (long) (random.nextDouble() * boundMs),
              SimulatedFleet.toRecord(topic, t)));
    }
    keyed.sort(Map.Entry.comparingByKey());
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    keyed.forEach(e -> out.add(e.getValue()));
    for (MalformedTelemetry.Sample m : malformed) {
      byte[] key = m.key() == null ? null : m.key().getBytes(UTF_8);
      out.add(random.nextInt(out.size() + 1), new ProducerRecord<>(topic, key, m.payload()));
    }
    return Collections.unmodifiableList(out);
  }

  private static ProducerRecord<byte[], byte[]> onPartition0(String topic, Telemetry t) {
    return new ProducerRecord<>(topic, 0, t.getDeviceId().getBytes(UTF_8), ModelJson.toBytes(t));
  }

  private static Map<String, TelemetryAggregate> expectedAggregates(List<Telemetry> valid) {
    Map<String, TelemetryAggregate> expected = ExpectedAggregates.tumbling(valid, MINUTE);
    expected.values().forEach(a -> a.setStatus("unregistered"));
    return expected;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }

  private static Map<String, Long> rejectedCountsByReason(JobID job) {
    Pattern reason = Pattern.compile("reason\\.([a-z_]+)\\.telemetryRejected$");
    Map<String, Long> counts = new HashMap<>();
    for (Map.Entry<String, Metric> m : METRICS.findMetrics(job, "telemetryRejected").entrySet()) {
      Matcher matcher = reason.matcher(m.getKey());
      if (matcher.find()) {
        counts.merge(matcher.group(1), ((Counter) m.getValue()).getCount(), Long::sum);
      }
    }
    return counts;
  }
}
