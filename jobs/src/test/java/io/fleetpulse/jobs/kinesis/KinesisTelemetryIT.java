package io.fleetpulse.jobs.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.MalformedTelemetry;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.devstack.kinesis.KinesaliteExtension;
import io.fleetpulse.devstack.kinesis.KinesaliteProcess;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TelemetryJob reading a real Kinesis API (kinesalite) instead of Kafka: records put the way an
 * AWS IoT Core rule's Kinesis action puts them (the MQTT payload as the data, the device id from
 * the topic as the partition key) give exactly the aggregates the same records give through Kafka,
 * and malformed ones go to the DLQ naming stream, shard and sequence number.
 */
@ExtendWith({KinesaliteExtension.class, KafkaExtension.class})
class KinesisTelemetryIT {

  private static final long MINUTE = 60_000L;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** Reasons that are about a Kafka record key, which a Kinesis record does not have. */
  private static final Set<RejectReason> KEY_REASONS =
      Set.of(RejectReason.DEVICE_ID_MISMATCH, RejectReason.INVALID_KEY);

  @Test
  void kinesisRecordsGiveTheSameAggregatesAsKafkaAndDeadLettersNameTheirShard(
      KinesaliteProcess kinesis, KafkaTestClient kafka) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String stream = "telemetry-" + run;
    kinesis.createStream(stream, 4);
    long t0 = TestTimes.minuteAlignedHourAgo();
    List<Telemetry> valid = new SimulatedFleet(20, "kin").readings(t0, 2_000, 90);
    List<MalformedTelemetry.Sample> malformed =
        MalformedTelemetry.samples(200, t0).stream()
            .filter(m -> !KEY_REASONS.contains(m.reason()))
            .toList();
    List<KinesaliteProcess.Put> puts = new ArrayList<>();
    // The rule's partition key is the device id (`${topic(2)}`), so that a device's messages stay
    // on one shard, in order; malformed ones get a random key (`${newuuid()}`).
    for (Telemetry t : valid) {
      puts.add(new KinesaliteProcess.Put(t.getDeviceId(), ModelJson.toBytes(t)));
    }
    for (int i = 0; i < malformed.size(); i++) {
      puts.add(
          i * 17 % puts.size(),
          new KinesaliteProcess.Put(UUID.randomUUID().toString(), malformed.get(i).payload()));
    }
    kinesis.putRecords(stream, puts);

    TelemetryJobConfig viaKinesis =
        config(
            kafka,
            "k" + run,
            "--source",
            "KINESIS",
            "--kinesis.stream",
            stream,
            "--kinesis.region",
            KinesaliteProcess.REGION,
            "--kinesis.endpoint",
            kinesis.endpoint(),
            "--kinesis.initial-position",
            "TRIM_HORIZON",
            "--kinesis.access-key",
            "test",
            "--kinesis.secret-key",
            "test");
    KinesisSourceConfig source =
        KinesisSourceConfig.from(settings(viaKinesis, kafka, stream, kinesis));
    String arn = KinesisTelemetrySources.checkStream(source);
    assertThat(arn).endsWith("/" + stream);
    List<TelemetryAggregate> fromKinesis;
    List<ConsumerRecord<byte[], byte[]>> dlq;
    StreamExecutionEnvironment env =
        TestEnvironments.of(TelemetryJob.flinkConfiguration(viaKinesis), 2);
    TelemetryJob.job(
            viaKinesis,
            KinesisTelemetrySources.source(
                source, arn, viaKinesis.maxPayloadBytes(), viaKinesis.maxFutureSkew().toMillis()),
            false)
        .build(env);
    Map<String, TelemetryAggregate> expected = ExpectedAggregates.tumbling(valid, MINUTE);
    expected.values().forEach(a -> a.setStatus("unregistered"));
    JobClient job = env.executeAsync("kinesis-it");
    try {
      fromKinesis =
          kafka
              .consume(viaKinesis.aggregateTopic(), expected.size(), Duration.ofSeconds(90))
              .stream()
              .map(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
              .toList();
      dlq = kafka.consume(viaKinesis.deadLetterTopic(), malformed.size(), Duration.ofSeconds(30));
    } finally {
      job.cancel().get();
    }

    TelemetryJobConfig viaKafka = config(kafka, "f" + run);
    kafka.produce(
        valid.stream().map(t -> SimulatedFleet.toRecord(viaKafka.rawTopic(), t)).toList());
    StreamExecutionEnvironment kafkaEnv =
        TestEnvironments.of(TelemetryJob.flinkConfiguration(viaKafka), 2);
    TelemetryJob.kafkaJob(viaKafka, true).build(kafkaEnv);
    kafkaEnv.execute("kinesis-it-kafka");
    List<TelemetryAggregate> fromKafka =
        kafka.consume(viaKafka.aggregateTopic(), expected.size(), Duration.ofSeconds(60)).stream()
            .map(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
            .toList();

    assertThat(fromKinesis).hasSize(expected.size());
    Map<String, TelemetryAggregate> kinesisByKey =
        fromKinesis.stream()
            .collect(Collectors.toMap(ExpectedAggregates::key, Function.identity()));
    assertThat(kinesisByKey).isEqualTo(expected);
    assertThat(kinesisByKey)
        .isEqualTo(
            fromKafka.stream()
                .collect(Collectors.toMap(ExpectedAggregates::key, Function.identity())));

    assertThat(dlq).hasSize(malformed.size());
    Map<String, String> expectedReasons = new HashMap<>();
    malformed.forEach(m -> expectedReasons.put(new String(m.payload(), UTF_8), m.reason().code()));
    Map<String, String> actualReasons = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : dlq) {
      actualReasons.put(new String(r.value(), UTF_8), header(r, DeadLetterHeaders.REASON));
      assertThat(header(r, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(stream);
      assertThat(header(r, KinesisTelemetryDeserializationSchema.STREAM_HEADER)).isEqualTo(arn);
      assertThat(header(r, KinesisTelemetryDeserializationSchema.SHARD_HEADER))
          .matches("shardId-\\d{12}");
      assertThat(header(r, KinesisTelemetryDeserializationSchema.SEQUENCE_HEADER))
          .matches("\\d{20,}");
      assertThat(header(r, KinesisTelemetryDeserializationSchema.PARTITION_KEY_HEADER))
          .isEqualTo(new String(r.key(), UTF_8));
      assertThat(header(r, DeadLetterHeaders.DETAIL)).isNotBlank();
    }
    assertThat(actualReasons).isEqualTo(expectedReasons);
  }

  @Test
  void aMissingStreamFailsAtStartUpNamingIt(KinesaliteProcess kinesis, KafkaTestClient kafka) {
    TelemetryJobConfig config = config(kafka, "missing");
    KinesisSourceConfig source =
        KinesisSourceConfig.from(settings(config, kafka, "no-such-stream", kinesis));
    assertThatThrownBy(() -> KinesisTelemetrySources.checkStream(source))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kinesis.stream 'no-such-stream' (region us-east-1")
        .hasMessageContaining("does not exist");
  }

  private static Settings settings(
      TelemetryJobConfig config, KafkaTestClient kafka, String stream, KinesaliteProcess kinesis) {
    return Settings.of(
        Map.of(
            "kafka.bootstrap.servers",
            kafka.bootstrapServers(),
            "source",
            "KINESIS",
            "kinesis.stream",
            stream,
            "kinesis.region",
            KinesaliteProcess.REGION,
            "kinesis.endpoint",
            kinesis.endpoint(),
            "kinesis.initial-position",
            "TRIM_HORIZON",
            "kinesis.access-key",
            "test",
            "kinesis.secret-key",
            "test"),
        TelemetryJobConfig.OPTIONS);
  }

  private static TelemetryJobConfig config(KafkaTestClient kafka, String run, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap.servers", kafka.bootstrapServers(),
                "--kafka.group.id", "kinesis-it-" + run,
                "--topic.telemetry.raw", "raw-" + run,
                "--topic.telemetry.dlq", "dlq-" + run,
                "--topic.telemetry.agg", "agg-" + run,
                "--topic.telemetry.enriched", "enriched-" + run,
                "--topic.devices", "devices-" + run,
                "--window.idle-timeout", "3s",
                "--checkpoint.interval", "1s"));
    args.addAll(List.of(extra));
    TelemetryJobConfig config = TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
    kafka.createTopics(4, config.topics(), List.of(config.devicesTopic()));
    return config;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
  }
}
