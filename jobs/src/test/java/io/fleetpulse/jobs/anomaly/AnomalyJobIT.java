package io.fleetpulse.jobs.anomaly;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The AnomalyJob as {@code main} wires it: raw telemetry, signals and actions in, alerts out. */
@ExtendWith(KafkaExtension.class)
class AnomalyJobIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void rawTelemetrySignalsAndActionsOnKafkaBecomeAlertTransitions(
      KafkaTestClient kafka, @TempDir Path dir) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Path rules = dir.resolve("rules.json");
    Files.writeString(
        rules,
        "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"temperature\","
            + "\"max\":80,\"clearMax\":75,\"for\":\"10s\",\"severity\":\"CRITICAL\"}]}");
    AnomalyJobConfig config =
        AnomalyJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(),
              "--kafka.group.id", "anomaly-it-" + run,
              "--topic.telemetry", "raw-" + run,
              "--topic.devices", "devices-" + run,
              "--topic.alert.signals", "signals-" + run,
              "--topic.alert.actions", "actions-" + run,
              "--topic.alerts", "alerts-" + run,
              "--topic.alert.dlq", "alert-dlq-" + run,
              "--anomaly.rules-file", rules.toString(),
              "--alert.update-interval", "0",
              "--checkpoint.interval", "1s"
            },
            Map.of());
    kafka.createTopics(
        2,
        config.telemetryTopic(),
        config.signalsTopic(),
        config.actionsTopic(),
        config.alertsTopic(),
        config.deadLetterTopic());
    kafka.createTopics(1, Map.of("cleanup.policy", "compact"), config.devicesTopic());

    long t = TestTimes.minuteAlignedHourAgo();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    double[] hot = {70, 85, 86, 87, 70};
    for (int i = 0; i < hot.length; i++) {
      records.add(reading(config.telemetryTopic(), "hot-1", t + i * 10_000L, hot[i]));
    }
    records.add(reading(config.telemetryTopic(), "quiet-1", t, 20));
    records.add(reading(config.telemetryTopic(), "quiet-1", t + 600_000, 20));
    records.add(
        json(
            config.signalsTopic(),
            "ext-1",
            "{\"rule\":\"door\",\"deviceId\":\"ext-1\",\"severity\":\"INFO\",\"ts\":"
                + t
                + ",\"state\":\"ACTIVE\"}"));
    records.add(
        json(config.actionsTopic(), "ext-1", "{\"deviceId\":\"ext-1\",\"action\":\"ACK\"}"));
    kafka.produce(records);

    StreamExecutionEnvironment env = TestEnvironments.of(AnomalyJob.flinkConfiguration(config), 2);
    AnomalyJob.kafkaJob(config).build(env);
    JobClient job = env.executeAsync("anomaly-it");
    try {
      List<Alert> alerts = alerts(kafka, config, 6);
      String hotId = Alert.idFor("hot-1", "hot", "temperature", String.valueOf(t + 20_000));
      assertThat(alerts)
          .filteredOn(a -> a.getDeviceId().equals("hot-1"))
          .extracting(Alert::getAlertId, Alert::getState, Alert::getCount)
          .containsExactly(
              tuple(hotId, AlertState.OPEN, 1L),
              tuple(hotId, AlertState.OPEN, 2L),
              tuple(hotId, AlertState.RESOLVED, 2L));
      assertThat(alerts)
          .filteredOn(a -> a.getDeviceId().equals("quiet-1"))
          .extracting(Alert::getType, Alert::getState, Alert::getTs)
          .containsExactly(
              tuple("offline", AlertState.OPEN, t + 180_000),
              tuple("offline", AlertState.RESOLVED, t + 600_000));
      String extId = Alert.idFor("ext-1", "door", null, String.valueOf(t));
      assertThat(alerts)
          .filteredOn(a -> a.getDeviceId().equals("ext-1"))
          .extracting(Alert::getAlertId, Alert::getState)
          .containsExactly(tuple(extId, AlertState.OPEN));
      ConsumerRecord<byte[], byte[]> firstAlert =
          kafka.consume(config.alertsTopic(), 1, Duration.ofSeconds(10)).get(0);
      assertThat(new String(firstAlert.key(), UTF_8))
          .isEqualTo(ModelJson.fromBytes(firstAlert.value(), Alert.class).getDeviceId());

      List<ConsumerRecord<byte[], byte[]>> dlq =
          kafka.consume(config.deadLetterTopic(), 1, Duration.ofSeconds(30));
      assertThat(dlq).hasSize(1);
      assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("invalid_action");
      assertThat(header(dlq.get(0), DeadLetterHeaders.DETAIL)).isEqualTo("alertId is missing");
      assertThat(header(dlq.get(0), DeadLetterHeaders.STAGE)).isEqualTo(AnomalyJob.STAGE);

      kafka.produce(
          List.of(
              json(
                  config.actionsTopic(),
                  "ext-1",
                  "{\"alertId\":\""
                      + extId
                      + "\",\"deviceId\":\"ext-1\",\"action\":\"ACK\",\"ts\":"
                      + (t + 1000)
                      + "}")));
      assertThat(alerts(kafka, config, 6 + 1))
          .filteredOn(a -> a.getDeviceId().equals("ext-1"))
          .extracting(Alert::getState)
          .containsExactly(AlertState.OPEN, AlertState.ACKNOWLEDGED);
    } finally {
      job.cancel().get();
    }
  }

  private static List<Alert> alerts(KafkaTestClient kafka, AnomalyJobConfig config, int n) {
    List<ConsumerRecord<byte[], byte[]>> records =
        kafka.consume(config.alertsTopic(), n, Duration.ofSeconds(60));
    assertThat(records).hasSize(n);
    return records.stream().map(r -> ModelJson.fromBytes(r.value(), Alert.class)).toList();
  }

  private static ProducerRecord<byte[], byte[]> reading(
      String topic, String device, long ts, double temperature) {
    Telemetry telemetry =
        new Telemetry(device, ts, null, new HashMap<>(Map.of("temperature", temperature)));
    return new ProducerRecord<>(topic, device.getBytes(UTF_8), ModelJson.toBytes(telemetry));
  }

  private static ProducerRecord<byte[], byte[]> json(String topic, String key, String value) {
    return new ProducerRecord<>(topic, key.getBytes(UTF_8), value.getBytes(UTF_8));
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
