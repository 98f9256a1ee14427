package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith({KafkaExtension.class, InfluxDbExtension.class})
class TelemetryInfluxIT {

  private static final long MINUTE = 60_000L;
  private static final int PARALLELISM = 2;
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(PARALLELISM)
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .build());

  @Test
  void influxQlReturnsExactlyTheAggregatesOfEveryDeviceMetricAndWindowDespiteReplays(
      KafkaTestClient kafka, InfluxDbProcess influx) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig config = config(kafka, influx, run, "--watermark.idleness", "1s");
    long t0 = TestTimes.minuteAlignedHourAgo();
    List<Telemetry> valid = new SimulatedFleet(5, "dev").readings(t0, 2_000, 60);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    valid.forEach(t -> records.add(SimulatedFleet.toRecord(config.rawTopic(), t)));
    // Every tenth message arrives twice, as after a device or bridge retry.
    for (int i = 0; i < valid.size(); i += 10) {
      records.add(SimulatedFleet.toRecord(config.rawTopic(), valid.get(i)));
    }
    kafka.produce(records);

    StreamExecutionEnvironment env = environment();
    TelemetryJob.kafkaJob(config, true).build(env);
    JobID job = env.execute("influx-it").getJobID();

    Map<String, double[]> expected = expectedAggregates(valid);
    List<Map<String, Object>> rows =
        influx.query(
            config.influx().options().database(),
            "SELECT \"count\", \"min\", \"max\", \"avg\", \"last\", device, metric, status"
                + " FROM telemetry_agg");
    assertThat(rows).hasSize(expected.size());
    assertThat(rows).allSatisfy(row -> assertThat(row.get("status")).isEqualTo("unregistered"));
    Map<String, double[]> actual = aggregatesByKey(rows);
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((key, values) -> assertThat(actual.get(key)).as(key).containsExactly(values));
    assertThat(counter(job, "telemetryDuplicates")).isEqualTo(valid.size() / 10);
  }

  @Test
  void aRegisteredDevicesPointsCarryItsRegistryTags(KafkaTestClient kafka, InfluxDbProcess influx)
      throws Exception {
    RegistryRun run = registryRun(kafka, influx);

    assertThat(tags(influx, run.db(), "known", run.t0()))
        .containsEntry("site", "plant-1")
        .containsEntry("type", "thermometer")
        .containsEntry("status", "ACTIVE");
  }

  @Test
  void anUnknownDevicesPointsAreTaggedUnregistered(KafkaTestClient kafka, InfluxDbProcess influx)
      throws Exception {
    RegistryRun run = registryRun(kafka, influx);

    assertThat(tags(influx, run.db(), "stranger", run.t0()))
        .containsEntry("status", "unregistered")
        .doesNotContainKey("site");
  }

  @Test
  void aRecalledDevicesTelemetryIsRefusedToTheDeadLettersWithItsReason(
      KafkaTestClient kafka, InfluxDbProcess influx) throws Exception {
    RegistryRun run = registryRun(kafka, influx);

    assertThat(
            influx.query(run.db(), "SELECT \"count\" FROM telemetry_agg WHERE device='recalled'"))
        .isEmpty();
    assertThat(run.deadLetters()).hasSize(1);
    assertThat(new String(run.deadLetters().get(0).key(), UTF_8)).isEqualTo("recalled");
    assertThat(
            new String(run.deadLetters().get(0).headers().lastHeader("dlq.reason").value(), UTF_8))
        .isEqualTo("device_recalled");
  }

  @Test
  void aRegistryUpdateRetagsLaterWindowsAndLeavesEarlierOnes(
      KafkaTestClient kafka, InfluxDbProcess influx) throws Exception {
    RegistryRun run = registryRun(kafka, influx);

    assertThat(tags(influx, run.db(), "known", run.t0() + 2 * MINUTE))
        .containsEntry("site", "plant-2");
    assertThat(tags(influx, run.db(), "known", run.t0())).containsEntry("site", "plant-1");
  }

  /** What the registry tests look at: one job run, shared by them (one behaviour per test). */
  private record RegistryRun(
      String db, long t0, List<ConsumerRecord<byte[], byte[]>> deadLetters) {}

  private static RegistryRun registryRun;

  /**
   * Runs once per class: a known, a recalled and an unknown device send telemetry; then the known
   * device moves to another site and sends more. Waits for the points; asserts nothing itself.
   */
  private static synchronized RegistryRun registryRun(KafkaTestClient kafka, InfluxDbProcess influx)
      throws Exception {
    if (registryRun != null) {
      return registryRun;
    }
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig config = config(kafka, influx, run, "--watermark.idleness", "1s");
    String db = config.influx().options().database();
    long t0 = TestTimes.minuteAlignedHourAgo();
    registry(kafka, config, device("known", "plant-1", DeviceStatus.ACTIVE));
    registry(kafka, config, device("recalled", "plant-1", DeviceStatus.RECALLED));

    StreamExecutionEnvironment env = environment();
    TelemetryJob.kafkaJob(config, false).build(env);
    JobClient job = env.executeAsync("influx-registry-it");
    try {
      await(() -> counter(job.getJobID(), "registryUpdates") >= 2L * PARALLELISM);
      telemetry(kafka, config, "known", t0 + 1_000, 1);
      telemetry(kafka, config, "stranger", t0 + 1_000, 1);
      telemetry(kafka, config, "recalled", t0 + 1_000, 1);
      telemetry(kafka, config, "known", t0 + MINUTE + 10_000, 2);
      telemetry(kafka, config, "stranger", t0 + MINUTE + 10_000, 2);
      await(() -> influx.query(db, "SELECT \"count\" FROM telemetry_agg").size() >= 2);
      List<ConsumerRecord<byte[], byte[]>> refused =
          kafka.consume(config.deadLetterTopic(), 1, Duration.ofSeconds(30));

      registry(kafka, config, device("known", "plant-2", DeviceStatus.ACTIVE));
      await(() -> counter(job.getJobID(), "registryUpdates") >= 3L * PARALLELISM);
      telemetry(kafka, config, "known", t0 + 2 * MINUTE + 1_000, 3);
      telemetry(kafka, config, "known", t0 + 3 * MINUTE + 10_000, 4);
      await(
          () ->
              influx.query(db, "SELECT \"count\" FROM telemetry_agg WHERE device='known'").size()
                  >= 3);
      registryRun = new RegistryRun(db, t0, refused);
      return registryRun;
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void everyAggregateIsInInfluxDbAfterItWasDownFor15SecondsMidRun(
      KafkaTestClient kafka, InfluxDbProcess influx) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig config = config(kafka, influx, run, "--influx.max-retries", "2");
    String db = config.influx().options().database();
    long t0 = TestTimes.minuteAlignedHourAgo();
    SimulatedFleet fleet = new SimulatedFleet(4, "outage");
    List<Telemetry> before = fleet.readings(t0, 5_000, 36); // windows 0-2
    List<Telemetry> during = fleet.readings(t0 + 3 * MINUTE, 5_000, 36, 36); // windows 3-5
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
    StreamExecutionEnvironment env = environment(conf);
    TelemetryJob.kafkaJob(config, false).build(env);
    JobClient job = env.executeAsync("influx-outage-it");
    try {
      produce(kafka, config, before);
      await(() -> influx.query(db, "SELECT \"count\" FROM telemetry_agg").size() >= 4);

      influx.stop();
      produce(kafka, config, during);
      Thread.sleep(15_000);
      influx.start();
      // A reading of every device far ahead closes every window of the run on every partition.
      produce(kafka, config, fleet.readings(t0 + 7 * MINUTE, 1_000, 1, 72));

      List<Telemetry> all = new ArrayList<>(before);
      all.addAll(during);
      Map<String, double[]> expected = expectedAggregates(all);
      String closed =
          "SELECT \"count\" FROM telemetry_agg WHERE time < " + (t0 + 6 * MINUTE) + "ms";
      await(
          () -> influx.query(db, closed).size() >= expected.size(),
          () -> {
            try {
              return "points: "
                  + influx.query(db, closed).size()
                  + " of "
                  + expected.size()
                  + ", job "
                  + job.getJobStatus().get();
            } catch (Exception e) {
              return e.toString();
            }
          });
      Map<String, double[]> actual =
          aggregatesByKey(
              influx.query(
                  db,
                  "SELECT \"count\", \"min\", \"max\", \"avg\", \"last\", device, metric"
                      + " FROM telemetry_agg WHERE time < "
                      + (t0 + 6 * MINUTE)
                      + "ms"));
      assertThat(actual.keySet()).isEqualTo(expected.keySet());
      expected.forEach(
          (key, values) -> assertThat(actual.get(key)).as(key).containsExactly(values));
    } finally {
      job.cancel().get();
      influx.start();
    }
  }

  private static TelemetryJobConfig config(
      KafkaTestClient kafka, InfluxDbProcess influx, String run, String... extra) {
    String db = "it_" + run.replace('-', '_');
    influx.createDatabase(db);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap.servers",
                kafka.bootstrapServers(),
                "--kafka.group.id",
                "influx-it-" + run,
                "--topic.telemetry.raw",
                "raw-" + run,
                "--topic.telemetry.dlq",
                "dlq-" + run,
                "--topic.telemetry.agg",
                "agg-" + run,
                "--topic.devices",
                "devices-" + run,
                "--watermark.idleness",
                "1s",
                "--influx.url",
                influx.url(),
                "--influx.db",
                db,
                "--influx.flush-interval",
                "200ms"));
    args.addAll(List.of(extra));
    TelemetryJobConfig config = TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
    kafka.createTopics(2, config.topics(), List.of(config.devicesTopic()));
    return config;
  }

  private static StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    return environment(conf);
  }

  private static StreamExecutionEnvironment environment(Configuration conf) {
    Configuration all = JobEnvironment.configuration(Duration.ofSeconds(1), "hashmap", null);
    all.addAll(conf);
    StreamExecutionEnvironment env = JobEnvironment.create(all);
    env.setParallelism(PARALLELISM);
    return env;
  }

  private static void produce(
      KafkaTestClient kafka, TelemetryJobConfig config, List<Telemetry> telemetry) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    telemetry.forEach(t -> records.add(SimulatedFleet.toRecord(config.rawTopic(), t)));
    kafka.produce(records);
  }

  private static Device device(String id, String site, DeviceStatus status) {
    Device d = new Device();
    d.setDeviceId(id);
    d.setType("thermometer");
    d.setSite(site);
    d.setFirmware("1.0.0");
    d.setStatus(status);
    return d;
  }

  private static void registry(KafkaTestClient kafka, TelemetryJobConfig config, Device device) {
    kafka.produce(
        List.of(
            new ProducerRecord<>(
                config.devicesTopic(),
                device.getDeviceId().getBytes(UTF_8),
                ModelJson.toBytes(device))));
  }

  private static void telemetry(
      KafkaTestClient kafka, TelemetryJobConfig config, String device, long ts, long seq) {
    kafka.produce(
        List.of(
            SimulatedFleet.toRecord(
                config.rawTopic(),
                new Telemetry(device, ts, seq, Map.of("temperature", 20.5 + seq)))));
  }

  private static Map<String, Object> tags(
      InfluxDbProcess influx, String db, String device, long windowStart) {
    List<Map<String, Object>> rows =
        influx.query(
            db,
            "SELECT \"count\", site, type, status FROM telemetry_agg WHERE device='"
                + device
                + "' AND time = "
                + windowStart
                + "ms");
    assertThat(rows).as("points of %s at %d", device, windowStart).hasSize(1);
    Map<String, Object> tags = new HashMap<>(rows.get(0));
    tags.values().removeIf(java.util.Objects::isNull);
    return tags;
  }

  /** Per aggregate key: count, min, max, avg, last, as InfluxQL returns them. */
  private static Map<String, double[]> expectedAggregates(List<Telemetry> valid) {
    Map<String, double[]> expected = new HashMap<>();
    ExpectedAggregates.tumbling(valid, MINUTE)
        .forEach(
            (key, a) ->
                expected.put(
                    key,
                    new double[] {a.getCount(), a.getMin(), a.getMax(), a.getAvg(), a.getLast()}));
    return expected;
  }

  /** Per aggregate key: count, min, max, avg, last of InfluxQL rows of telemetry_agg. */
  private static Map<String, double[]> aggregatesByKey(List<Map<String, Object>> rows) {
    Map<String, double[]> byKey = new HashMap<>();
    for (Map<String, Object> row : rows) {
      byKey.put(
          ExpectedAggregates.key(
              (String) row.get("device"),
              (String) row.get("metric"),
              ((Number) row.get("time")).longValue()),
          new double[] {
            num(row.get("count")),
            num(row.get("min")),
            num(row.get("max")),
            num(row.get("avg")),
            num(row.get("last"))
          });
    }
    return byKey;
  }

  private static double num(Object value) {
    return ((Number) value).doubleValue();
  }

  private static long counter(JobID job, String name) {
    return METRICS.findMetrics(job, name).values().stream()
        .mapToLong(m -> ((Counter) m).getCount())
        .sum();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    await(condition, () -> "");
  }

  private static void await(BooleanSupplier condition, java.util.function.Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 60 s " + state.get());
      }
      Thread.sleep(200);
    }
  }
}
