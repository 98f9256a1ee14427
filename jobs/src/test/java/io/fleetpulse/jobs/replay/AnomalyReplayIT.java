package io.fleetpulse.jobs.replay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.anomaly.AnomalyJob;
import io.fleetpulse.jobs.anomaly.AnomalyJobConfig;
import io.fleetpulse.jobs.anomaly.OfflineDetector;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TelemetryJob streams raw telemetry with injected anomalies and an offline gap into the
 * archive and {@code iot.telemetry.enriched}; the AnomalyJob streams alerts from the latter; the
 * anomaly replay of the archive in BATCH mode gives exactly the same alert transitions.
 */
@ExtendWith(KafkaExtension.class)
class AnomalyReplayIT {

  private static final int DEVICES = 21;
  private static final int READINGS = 30;
  private static final long STEP = 10_000;
  private static final String RULES =
      "{\"rules\":["
          + "{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"temperature\",\"max\":80,"
          + "\"clearMax\":75,\"for\":\"20s\"},"
          + "{\"name\":\"jump\",\"kind\":\"RAPID_CHANGE\",\"metric\":\"pressure\",\"delta\":10,"
          + "\"within\":\"30s\",\"clearAfter\":\"3s\"},"
          + "{\"name\":\"stuck\",\"kind\":\"STUCK_SENSOR\",\"metric\":\"temperature\",\"count\":5,"
          + "\"clearAfter\":\"3s\"},"
          + "{\"name\":\"no-humidity\",\"kind\":\"METRIC_MISSING\",\"metric\":\"humidity\","
          + "\"for\":\"30s\"},"
          + "{\"name\":\"climb\",\"kind\":\"RISING\",\"metric\":\"level\",\"count\":4,"
          + "\"clearAfter\":\"3s\"}]}";

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;

  @Test
  void aReplayOfTheArchiveGivesTheStreamingAlertTransitionsExactly(KafkaTestClient kafka)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    long t = TestTimes.minuteAlignedHourAgo();
    TelemetryJobConfig telemetry = telemetryConfig(kafka, run);
    Set<String> expected = new TreeSet<>();
    kafka.produce(script(telemetry.rawTopic(), t, expected));
    StreamExecutionEnvironment archiving =
        TestEnvironments.of(TelemetryJob.flinkConfiguration(telemetry), 2);
    TelemetryJob.kafkaJob(telemetry, true).build(archiving);
    archiving.execute("anomaly-replay-it-telemetry");

    AnomalyJobConfig live = anomalyConfig(kafka, telemetry, "live-" + run);
    StreamExecutionEnvironment env = TestEnvironments.of(AnomalyJob.flinkConfiguration(live), 2);
    AnomalyJob.kafkaJob(live).build(env);
    JobClient streaming = env.executeAsync("anomaly-replay-it-live");
    List<String> streamed;
    try {
      streamed = transitions(kafka, live, expected);
    } finally {
      streaming.cancel().get();
    }
    // 6 anomalies × 3 devices, each one OPEN and one RESOLVED; the rest of the fleet is calm.
    assertThat(expected).hasSize(6 * 3 * 2);
    Set<String> streamedIds = new TreeSet<>();
    streamed.forEach(transition -> streamedIds.add(idAndState(transition)));
    assertThat(streamedIds).isEqualTo(expected);

    AnomalyJobConfig replay = anomalyConfig(kafka, telemetry, "replay-" + run);
    StreamExecutionEnvironment batch = TestEnvironments.of(AnomalyReplay.configuration(replay), 2);
    AnomalyReplay.job(
            replay,
            telemetry.archive(),
            Instant.ofEpochMilli(t),
            Instant.ofEpochMilli(t + READINGS * STEP))
        .build(batch);
    batch.execute("anomaly-replay-it-batch");
    assertThat(all(kafka, replay)).isEqualTo(streamed);
  }

  /** The alert transitions once every expected one arrived and a moment passed without more. */
  private static List<String> transitions(
      KafkaTestClient kafka, AnomalyJobConfig config, Set<String> expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Set<String> seen = new TreeSet<>();
    while (System.nanoTime() < deadline && !seen.containsAll(expected)) {
      all(kafka, config).forEach(a -> seen.add(idAndState(a)));
    }
    return all(kafka, config);
  }

  /** Every alert record of the topic, as {@code alertId state ts count}, sorted. */
  private static List<String> all(KafkaTestClient kafka, AnomalyJobConfig config) {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        kafka.consumeFor(config.alertsTopic(), Duration.ofSeconds(2))) {
      Alert a = ModelJson.fromBytes(r.value(), Alert.class);
      out.add(
          a.getAlertId()
              + " "
              + a.getState()
              + " "
              + a.getTs()
              + " "
              + a.getCount()
              + " "
              + a.getSeverity());
    }
    out.sort(null);
    return out;
  }

  private static String idAndState(String transition) {
    String[] parts = transition.split(" ");
    return parts[0] + " " + parts[1];
  }

  /**
   * Device i does anomaly i % 7: 0 none, 1 THRESHOLD, 2 RAPID_CHANGE, 3 STUCK_SENSOR, 4
   * METRIC_MISSING, 5 DEVICE_OFFLINE (150 s without a message, 120 s allowed), 6 RISING.
   */
  private static List<ProducerRecord<byte[], byte[]>> script(
      String topic, long t, Set<String> expected) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < READINGS; i++) {
      for (int d = 0; d < DEVICES; d++) {
        int kind = d % 7;
        if (kind == 5 && i >= 10 && i < 24) {
          continue;
        }
        String device = "replay-" + d;
        Map<String, Double> m = new HashMap<>();
        m.put("temperature", 20.0 + (i % 2));
        m.put("pressure", 1000.0 + (i % 2));
        m.put("level", 5.0 + (i % 2));
        m.put("humidity", 50.0 + (i % 2));
        if (kind == 1 && i >= 10 && i < 15) {
          m.put("temperature", 90.0 + i);
        } else if (kind == 2 && i >= 10) {
          m.put("pressure", 1050.0 + (i % 2));
        } else if (kind == 3 && i >= 5 && i < 10) {
          m.put("temperature", 20.0);
        } else if (kind == 4 && i >= 10 && i < 20) {
          m.remove("humidity");
        } else if (kind == 6 && i >= 10 && i < 13) {
          m.put("level", 7.0 + (i - 10));
        }
        Telemetry reading = new Telemetry(device, t + i * STEP, (long) i, m);
        records.add(
            new ProducerRecord<>(topic, device.getBytes(UTF_8), ModelJson.toBytes(reading)));
      }
    }
    for (int d = 0; d < DEVICES; d++) {
      String device = "replay-" + d;
      String id =
          switch (d % 7) {
            case 1 -> Alert.idFor(device, "hot", "temperature", String.valueOf(t + 120_000));
            case 2 -> Alert.idFor(device, "jump", "pressure", String.valueOf(t + 100_000));
            case 3 -> Alert.idFor(device, "stuck", "temperature", String.valueOf(t + 80_000));
            case 4 -> Alert.idFor(device, "no-humidity", "humidity", String.valueOf(t + 120_000));
            case 5 -> Alert.idFor(device, OfflineDetector.RULE, null, String.valueOf(t + 210_000));
            case 6 -> Alert.idFor(device, "climb", "level", String.valueOf(t + 110_000));
            default -> null;
          };
      if (id != null) {
        expected.add(id + " OPEN");
        expected.add(id + " RESOLVED");
      }
    }
    return records;
  }

  private TelemetryJobConfig telemetryConfig(KafkaTestClient kafka, String run) {
    TelemetryJobConfig config =
        TelemetryJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(),
              "--kafka.group.id", "anomaly-replay-it-" + run,
              "--topic.telemetry.raw", "raw-" + run,
              "--topic.telemetry.dlq", "dlq-" + run,
              "--topic.telemetry.agg", "agg-" + run,
              "--topic.telemetry.enriched", "enriched-" + run,
              "--topic.devices", "devices-" + run,
              "--archive.path", dir.resolve("archive").toUri().toString(),
              "--checkpoint.interval", "500ms"
            },
            Map.of());
    kafka.createTopics(4, config.topics(), List.of(config.devicesTopic()));
    return config;
  }

  private AnomalyJobConfig anomalyConfig(
      KafkaTestClient kafka, TelemetryJobConfig telemetry, String run) throws Exception {
    Path rules = dir.resolve("rules.json");
    Files.writeString(rules, RULES);
    AnomalyJobConfig config =
        AnomalyJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers",
              kafka.bootstrapServers(),
              "--kafka.group.id",
              "anomaly-replay-it-" + run,
              "--topic.telemetry",
              telemetry.enrichedTopic(),
              "--topic.devices",
              telemetry.devicesTopic(),
              "--topic.alert.signals",
              "signals-" + run,
              "--topic.alert.actions",
              "actions-" + run,
              "--topic.alerts",
              "alerts-" + run,
              "--topic.alert.dlq",
              "alert-dlq-" + run,
              "--anomaly.rules-file",
              rules.toString(),
              "--offline.default-heartbeat",
              "10s",
              "--offline.heartbeat-factor",
              "12",
              "--checkpoint.interval",
              "300ms"
            },
            Map.of());
    kafka.createTopics(
        2,
        config.signalsTopic(),
        config.actionsTopic(),
        config.alertsTopic(),
        config.deadLetterTopic());
    return config;
  }
}
