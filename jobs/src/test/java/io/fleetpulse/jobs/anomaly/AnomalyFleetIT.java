package io.fleetpulse.jobs.anomaly;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
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
 * A scripted fleet of 200 devices on Kafka with an anomaly of every kind injected: exactly the
 * expected (alertId, state) transitions come out, also when the job fails midway and restores from
 * its last checkpoint (no loss, no new ids).
 */
@ExtendWith(KafkaExtension.class)
class AnomalyFleetIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final int DEVICES = 200;
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

  /** Fails the job once, on the first alert after a checkpoint has begun, to force a restore. */
  static final AtomicBoolean FAIL = new AtomicBoolean();

  static final AtomicInteger FAILED = new AtomicInteger();

  @Test
  void aScriptedFleetGivesExactlyTheExpectedTransitionsAlsoAcrossAFailureAndRestore(
      KafkaTestClient kafka, @TempDir Path dir) throws Exception {
    long t = TestTimes.minuteAlignedHourAgo();
    Set<String> expected = new TreeSet<>();
    Set<String> calm = transitions(kafka, dir, t, expected, false);
    // 25 devices of each of the 7 anomalies, each one OPEN and one RESOLVED.
    assertThat(expected).hasSize(7 * 25 * 2);
    assertThat(calm).isEqualTo(expected);

    FAIL.set(true);
    Set<String> expectedAgain = new TreeSet<>();
    Set<String> failedOnce = transitions(kafka, dir, t, expectedAgain, true);
    assertThat(FAILED.get()).isEqualTo(1);
    assertThat(expectedAgain).isEqualTo(expected);
    assertThat(failedOnce).isEqualTo(expected);
  }

  private static Set<String> transitions(
      KafkaTestClient kafka, Path dir, long t, Set<String> expected, boolean failing)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Path rules = dir.resolve("rules-" + run + ".json");
    Files.writeString(rules, RULES);
    AnomalyJobConfig config =
        AnomalyJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(),
              "--kafka.group.id", "fleet-it-" + run,
              "--topic.telemetry", "telemetry-" + run,
              "--topic.devices", "devices-" + run,
              "--topic.alert.signals", "signals-" + run,
              "--topic.alert.actions", "actions-" + run,
              "--topic.alerts", "alerts-" + run,
              "--topic.alert.dlq", "alert-dlq-" + run,
              "--anomaly.rules-file", rules.toString(),
              "--offline.default-heartbeat", "10s",
              "--offline.heartbeat-factor", "12",
              "--checkpoint.interval", "300ms"
            },
            Map.of());
    kafka.createTopics(
        4,
        config.telemetryTopic(),
        config.signalsTopic(),
        config.actionsTopic(),
        config.alertsTopic(),
        config.deadLetterTopic());
    kafka.createTopics(1, Map.of("cleanup.policy", "compact"), config.devicesTopic());
    List<ProducerRecord<byte[], byte[]>> records = script(config, t, expected);
    kafka.produce(records);

    Configuration conf = new Configuration(AnomalyJob.flinkConfiguration(config));
    if (failing) {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    } else {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    }
    StreamExecutionEnvironment env = JobEnvironment.create(conf);
    env.setParallelism(2);
    AnomalyJob kafkaJob = AnomalyJob.kafkaJob(config);
    AnomalyJob job =
        failing
            ? kafkaJob.withExtraAlertSink(new NamedSink<>("fleet-it-failing-sink", new FailOnce()))
            : kafkaJob;
    job.build(env);
    JobClient client = env.executeAsync("anomaly-fleet-it");
    try {
      Set<String> seen = new TreeSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      while (System.nanoTime() < deadline && seen.size() < expected.size()) {
        for (ConsumerRecord<byte[], byte[]> r :
            kafka.consumeFor(config.alertsTopic(), Duration.ofSeconds(1))) {
          Alert alert = ModelJson.fromBytes(r.value(), Alert.class);
          seen.add(alert.getAlertId() + " " + alert.getState());
        }
      }
      // Nothing more than expected arrives a moment later either.
      for (ConsumerRecord<byte[], byte[]> r :
          kafka.consumeFor(config.alertsTopic(), Duration.ofSeconds(2))) {
        Alert alert = ModelJson.fromBytes(r.value(), Alert.class);
        seen.add(alert.getAlertId() + " " + alert.getState());
      }
      return seen;
    } finally {
      client.cancel().get();
    }
  }

  /**
   * Device i does anomaly i % 8: 0 none, 1 THRESHOLD, 2 RAPID_CHANGE, 3 STUCK_SENSOR, 4
   * METRIC_MISSING, 5 DEVICE_OFFLINE (a gap in event time), 6 RISING, 7 an external signal.
   */
  private static List<ProducerRecord<byte[], byte[]>> script(
      AnomalyJobConfig config, long t, Set<String> expected) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int d = 0; d < DEVICES; d++) {
      String device = "fleet-" + d;
      int kind = d % 8;
      for (int i = 0; i < READINGS; i++) {
        if (kind == 5 && i >= 10 && i < 24) {
          continue;
        }
        long ts = t + i * STEP;
        Map<String, Double> m = new HashMap<>();
        m.put("temperature", 20.0 + (i % 2));
        m.put("pressure", 1000.0 + (i % 2));
        m.put("level", 5.0 + (i % 2));
        m.put("humidity", 50.0 + (i % 2));
        switch (kind) {
          case 1 -> {
            if (i >= 10 && i < 15) {
              m.put("temperature", 90.0 + i);
            }
          }
          case 2 -> {
            if (i >= 10) {
              // A step that stays: one jump, then steady again.
              m.put("pressure", 1050.0 + (i % 2));
            }
          }
          case 3 -> {
            if (i >= 5 && i < 10) {
              m.put("temperature", 20.0);
            }
          }
          case 4 -> {
            if (i >= 10 && i < 20) {
              m.remove("humidity");
            }
          }
          case 6 -> {
            if (i >= 10 && i < 13) {
              m.put("level", 7.0 + (i - 10));
            }
          }
          default -> {}
        }
        Telemetry reading = new Telemetry(device, ts, (long) i, m);
        records.add(
            new ProducerRecord<>(
                config.telemetryTopic(), device.getBytes(UTF_8), ModelJson.toBytes(reading)));
      }
      String id =
          switch (kind) {
            case 1 -> Alert.idFor(device, "hot", "temperature", String.valueOf(t + 120_000));
            case 2 -> Alert.idFor(device, "jump", "pressure", String.valueOf(t + 100_000));
            case 3 -> Alert.idFor(device, "stuck", "temperature", String.valueOf(t + 80_000));
            case 4 -> Alert.idFor(device, "no-humidity", "humidity", String.valueOf(t + 120_000));
            case 5 -> Alert.idFor(device, OfflineDetector.RULE, null, String.valueOf(t + 210_000));
            case 6 -> Alert.idFor(device, "climb", "level", String.valueOf(t + 110_000));
            case 7 -> Alert.idFor(device, "door", null, String.valueOf(t + 50_000));
            default -> null;
          };
      if (id != null) {
        expected.add(id + " OPEN");
        expected.add(id + " RESOLVED");
      }
      if (kind == 7) {
        for (String state : List.of("ACTIVE", "CLEAR")) {
          long ts = t + ("ACTIVE".equals(state) ? 50_000 : 80_000);
          String json =
              "{\"rule\":\"door\",\"deviceId\":\""
                  + device
                  + "\",\"severity\":\"WARNING\",\"ts\":"
                  + ts
                  + ",\"state\":\""
                  + state
                  + "\"}";
          records.add(
              new ProducerRecord<>(
                  config.signalsTopic(), device.getBytes(UTF_8), json.getBytes(UTF_8)));
        }
      }
    }
    return records;
  }

  /**
   * A sink that throws once, at the first alert after a checkpoint began (flush is called then).
   */
  static final class FailOnce implements Sink<Alert> {
    private static final long serialVersionUID = 1L;

    @Override
    public SinkWriter<Alert> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        private boolean checkpointed;

        @Override
        public void write(Alert element, Context context) {
          if (checkpointed && FAIL.compareAndSet(true, false)) {
            FAILED.incrementAndGet();
            throw new IllegalStateException("forced failure for the restore test");
          }
        }

        @Override
        public void flush(boolean endOfInput) {
          checkpointed = true;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    @Deprecated
    public SinkWriter<Alert> createWriter(InitContext context) {
      throw new UnsupportedOperationException("Flink 1.20 calls createWriter(WriterInitContext)");
    }
  }
}
