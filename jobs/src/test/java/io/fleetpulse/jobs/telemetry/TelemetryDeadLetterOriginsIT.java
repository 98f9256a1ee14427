package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What reaches the DLQ names and carries its origin, whatever refused it: late and refused
 * telemetry with the original bytes and headers, an oversized key cut to fit, a bad record of a
 * batch upload alone with its index. Bounded Kafka runs of the job as {@code main} wires it.
 */
@ExtendWith(KafkaExtension.class)
class TelemetryDeadLetterOriginsIT {

  private static final long MINUTE = TestTimes.MINUTE;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void aLateRecordsDeadLetterCarriesItsOriginalBytesHeadersAndSourceOffset(KafkaTestClient kafka)
      throws Exception {
    TelemetryJobConfig config = config(kafka);
    long t0 = TestTimes.minuteAlignedHourAgo();
    byte[] lateBytes = json("d", t0 + 2_000, 3, 99.0);
    kafka.produce(
        List.of(
            bridged(config.rawTopic(), "d", json("d", t0 + 1_000, 1, 10.0)),
            bridged(config.rawTopic(), "d", json("d", t0 + MINUTE + 6_000, 2, 11.0)),
            bridged(config.rawTopic(), "d", lateBytes)));

    run(config);

    List<ConsumerRecord<byte[], byte[]>> dlq =
        kafka.consume(config.deadLetterTopic(), 1, Duration.ofSeconds(60));
    assertThat(dlq).hasSize(1);
    ConsumerRecord<byte[], byte[]> letter = dlq.get(0);
    assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("late");
    assertThat(letter.value()).isEqualTo(lateBytes);
    assertThat(new String(letter.key(), UTF_8)).isEqualTo("d");
    assertThat(header(letter, "mqtt.topic")).isEqualTo("devices/d/telemetry");
    assertThat(header(letter, "mqtt.qos")).isEqualTo("1");
    assertThat(header(letter, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("2");
    assertThat(header(letter, TelemetryDeadLetters.ORIGINAL)).isNull();
  }

  @Test
  void a600KbKeyIsDeadLetteredCutToFitAndTheJobGoesOn(KafkaTestClient kafka) throws Exception {
    TelemetryJobConfig config = config(kafka);
    long t0 = TestTimes.minuteAlignedHourAgo();
    byte[] hugeKey = "k".repeat(600 * 1024).getBytes(UTF_8);
    kafka.produce(
        List.of(
            new ProducerRecord<>(config.rawTopic(), 0, hugeKey, json("d", t0 + 1_000, 1, 5.0)),
            bridged(config.rawTopic(), "d", json("d", t0 + 2_000, 2, 7.0))));

    run(config);

    List<ConsumerRecord<byte[], byte[]>> dlq =
        kafka.consume(config.deadLetterTopic(), 1, Duration.ofSeconds(60));
    assertThat(dlq).hasSize(1);
    assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("invalid_key");
    assertThat(dlq.get(0).key()).hasSize(DeadLetters.MAX_KEY_BYTES);
    assertThat(header(dlq.get(0), DeadLetterHeaders.TRUNCATED)).isEqualTo("true");
    assertThat(header(dlq.get(0), DeadLetterHeaders.DETAIL)).hasSizeLessThan(200);
    assertThat(aggregates(kafka, config, 1))
        .extracting(TelemetryAggregate::getDeviceId, TelemetryAggregate::getCount)
        .containsExactly(Tuple.tuple("d", 1L));
  }

  @Test
  void aBatchUploadIsWindowedReadingByReadingAndABadRecordIsDeadLetteredAloneWithItsIndex(
      KafkaTestClient kafka) throws Exception {
    TelemetryJobConfig config = config(kafka);
    long t0 = TestTimes.minuteAlignedHourAgo();
    // Three minutes of history in one message, newest first: sorted by ts, none of it is late.
    String batch =
        "{\"deviceId\":\"b\",\"records\":["
            + reading(t0 + 2 * MINUTE + 1_000, 5, 3.0)
            + ","
            + reading(t0 + MINUTE + 1_000, 3, 2.0)
            + ",{\"ts\":"
            + (t0 + MINUTE + 2_000)
            + ",\"seq\":4,\"metrics\":{\"temperature\":\"hot\"}}"
            + ","
            + reading(t0 + 1_000, 1, 1.0)
            + ","
            + reading(t0 + 2_000, 2, 1.5)
            + "]}";
    kafka.produce(List.of(bridged(config.rawTopic(), "b", batch.getBytes(UTF_8))));

    run(config);

    assertThat(aggregates(kafka, config, 3))
        .extracting(
            TelemetryAggregate::getWindowStart,
            TelemetryAggregate::getCount,
            TelemetryAggregate::getAvg)
        .containsExactlyInAnyOrder(
            Tuple.tuple(t0, 2L, 1.25),
            Tuple.tuple(t0 + MINUTE, 1L, 2.0),
            Tuple.tuple(t0 + 2 * MINUTE, 1L, 3.0));
    List<ConsumerRecord<byte[], byte[]>> dlq =
        kafka.consume(config.deadLetterTopic(), 1, Duration.ofSeconds(60));
    assertThat(dlq).hasSize(1);
    assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("invalid_metric");
    assertThat(header(dlq.get(0), TelemetryDeadLetters.RECORD_INDEX)).isEqualTo("2");
    assertThat(header(dlq.get(0), DeadLetterHeaders.DETAIL)).startsWith("records[2]: ");
    assertThat(new String(dlq.get(0).value(), UTF_8)).isEqualTo(batch);
  }

  @Test
  void onAFreshStartKnownDevicesAreNeverUnregisteredAndARecalledOneIsRefusedWithItsOriginal(
      KafkaTestClient kafka) throws Exception {
    TelemetryJobConfig config =
        config(kafka, "--window.idle-timeout", "1s", "--registry.hold-timeout", "10s");
    long t0 = TestTimes.minuteAlignedHourAgo();
    List<ProducerRecord<byte[], byte[]>> registry = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      registry.add(device(config.devicesTopic(), "ok-" + i, DeviceStatus.ACTIVE));
    }
    registry.add(device(config.devicesTopic(), "rec", DeviceStatus.RECALLED));
    kafka.produce(registry);
    byte[] refused = json("rec", t0 + 1_000, 1, 1.0);
    List<ProducerRecord<byte[], byte[]>> telemetry = new ArrayList<>();
    telemetry.add(bridged(config.rawTopic(), "rec", refused));
    for (int i = 0; i < 100; i++) {
      telemetry.add(bridged(config.rawTopic(), "ok-" + i, json("ok-" + i, t0 + 1_000, 1, 1.0)));
    }
    kafka.produce(telemetry);

    StreamExecutionEnvironment env =
        TestEnvironments.of(TelemetryJob.flinkConfiguration(config), 2);
    TelemetryJob.kafkaJob(config, false).build(env);
    JobClient job = env.executeAsync("telemetry-registry-hold-it");
    try {
      List<ConsumerRecord<byte[], byte[]>> dlq =
          kafka.consume(config.deadLetterTopic(), 1, Duration.ofSeconds(60));
      assertThat(dlq).hasSize(1);
      assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("device_recalled");
      assertThat(dlq.get(0).value()).isEqualTo(refused);
      assertThat(header(dlq.get(0), "mqtt.topic")).isEqualTo("devices/rec/telemetry");
      assertThat(header(dlq.get(0), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
      // The registry was read to its end before telemetry went on: no known device is
      // unregistered (each window closes by the idle safeguard).
      List<TelemetryAggregate> aggregates = aggregates(kafka, config, 100);
      assertThat(aggregates).hasSize(100);
      assertThat(aggregates).extracting(TelemetryAggregate::getStatus).containsOnly("ACTIVE");
    } finally {
      job.cancel().get();
    }
  }

  private static void run(TelemetryJobConfig config) throws Exception {
    StreamExecutionEnvironment env =
        TestEnvironments.of(TelemetryJob.flinkConfiguration(config), 2);
    TelemetryJob.kafkaJob(config, true).build(env);
    env.execute("telemetry-dead-letter-origins-it");
  }

  private static TelemetryJobConfig config(KafkaTestClient kafka, String... extra) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap.servers", kafka.bootstrapServers(),
                "--kafka.group.id", "telemetry-origins-" + run,
                "--topic.telemetry.raw", "raw-" + run,
                "--topic.telemetry.dlq", "dlq-" + run,
                "--topic.telemetry.agg", "agg-" + run,
                "--topic.devices", "devices-" + run,
                "--watermark.out-of-orderness", "5s",
                "--checkpoint.interval", "1s"));
    args.addAll(List.of(extra));
    TelemetryJobConfig config = TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
    kafka.createTopics(1, config.topics(), List.of(config.devicesTopic()));
    return config;
  }

  private static List<TelemetryAggregate> aggregates(
      KafkaTestClient kafka, TelemetryJobConfig config, int expected) {
    return kafka.consume(config.aggregateTopic(), expected, Duration.ofSeconds(60)).stream()
        .map(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
        .toList();
  }

  /** A record as the bridge writes it: keyed by device, with the MQTT headers. */
  private static ProducerRecord<byte[], byte[]> bridged(String topic, String device, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("mqtt.topic", ("devices/" + device + "/telemetry").getBytes(UTF_8));
    headers.add("mqtt.qos", "1".getBytes(UTF_8));
    headers.add("client.id", device.getBytes(UTF_8));
    return new ProducerRecord<>(topic, 0, device.getBytes(UTF_8), value, headers);
  }

  private static ProducerRecord<byte[], byte[]> device(
      String topic, String id, DeviceStatus status) {
    Device device = new Device(id, "sensor", "site-1", "1.0", 60, null, status);
    return new ProducerRecord<>(topic, id.getBytes(UTF_8), ModelJson.toBytes(device));
  }

  private static byte[] json(String device, long ts, long seq, double value) {
    return ModelJson.toBytes(new Telemetry(device, ts, seq, Map.of("temperature", value)));
  }

  private static String reading(long ts, long seq, double value) {
    return "{\"ts\":" + ts + ",\"seq\":" + seq + ",\"metrics\":{\"temperature\":" + value + "}}";
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
