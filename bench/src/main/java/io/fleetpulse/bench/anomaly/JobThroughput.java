package io.fleetpulse.bench.anomaly;

import io.fleetpulse.bench.telemetry.CountingSink;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.anomaly.AlertInputDeserializationSchema;
import io.fleetpulse.jobs.anomaly.AnomalyJob;
import io.fleetpulse.jobs.anomaly.AnomalyJobConfig;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.registry.DeviceUpdateDeserializationSchema;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.jobs.telemetry.TelemetryDeserializationSchema;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.ModelJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * AnomalyJob throughput over a pre-filled topic: the job with every detector of the rules file, and
 * the same job with the detectors replaced by a pass-through ({@link
 * AnomalyJob#withDetectorsPassedThrough()}), each reading all records with bounded Kafka sources.
 */
final class JobThroughput {

  static final String TOPIC = "bench-anomaly-throughput";
  static final String DEVICES_TOPIC = "bench-anomaly-throughput-devices";
  static final int PARTITIONS = 4;

  /** 2025-11-28T12:00:00Z. */
  static final long T0 = 1_764_331_200_000L;

  static final long STEP_MS = 10_000;

  /** The two jobs compared. */
  enum Variant {
    DETECTORS("AnomalyJob, all detectors"),
    PASS_THROUGH("the same job, detectors passed through (baseline)");

    final String label;

    Variant(String label) {
      this.label = label;
    }
  }

  /** One job run: Flink's net runtime, and what reached the alert sink. */
  record Run(double seconds, long alerts) {}

  private final String bootstrap;
  private final Path rules;
  private final int parallelism;
  private int runs;

  JobThroughput(String bootstrap, Path rules, int parallelism) {
    this.bootstrap = bootstrap;
    this.rules = rules;
    this.parallelism = parallelism;
  }

  /**
   * The temperature of {@code device} in its reading {@code seq}: two alternating values inside
   * every bound, with, once every 40 readings, a breach for THRESHOLD and RAPID_CHANGE, and on some
   * devices a rising run (RISING) or a stuck value (STUCK_SENSOR).
   */
  static double temperature(int device, long seq) {
    long phase = seq % 40;
    if (phase == 20) {
      return 95;
    }
    if (device % 7 == 0 && phase >= 30 && phase < 36) {
      return 40 + phase;
    }
    if (device % 11 == 0 && phase < 12) {
      return 42;
    }
    return 20 + device % 10 + (seq % 2) * 0.5;
  }

  /** Some devices stop sending their battery for a while (METRIC_MISSING). */
  static Double battery(int device, long seq) {
    long phase = seq % 40;
    return device % 13 == 0 && phase >= 4 && phase < 16 ? null : 90.0 - seq % 3;
  }

  /** Fills the topic with {@code records} readings of {@code devices} devices and the registry. */
  static void produce(KafkaTestClient kafka, int records, int devices) {
    kafka.createTopics(PARTITIONS, TOPIC);
    kafka.createTopics(1, Map.of("cleanup.policy", "compact"), DEVICES_TOPIC);
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int d = 0; d < devices; d++) {
        Device device = new Device();
        device.setDeviceId(MqttLoad.deviceId("tp", d));
        device.setType("freezer");
        device.setStatus(DeviceStatus.ACTIVE);
        producer.send(
            new ProducerRecord<>(
                DEVICES_TOPIC, key(device.getDeviceId()), ModelJson.toBytes(device)),
            (meta, e) -> failure.compareAndSet(null, e));
      }
      for (int i = 0; i < records; i++) {
        int device = i % devices;
        long seq = i / devices;
        String id = MqttLoad.deviceId("tp", device);
        byte[] value =
            MqttLoad.reading(
                id,
                T0 + seq * STEP_MS + device,
                seq,
                temperature(device, seq),
                battery(device, seq));
        producer.send(
            new ProducerRecord<>(TOPIC, key(id), value),
            (meta, e) -> failure.compareAndSet(null, e));
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing the benchmark input failed", failure.get());
    }
  }

  /** Runs {@code variant} over the whole topic; blocks until it finished. */
  Run run(Variant variant) throws Exception {
    String run = "tp-" + variant.name().toLowerCase(java.util.Locale.ROOT) + "-" + runs++;
    AnomalyJobConfig config =
        AnomalyJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers",
              bootstrap,
              "--kafka.group.id",
              "anomaly-bench-" + run,
              "--topic.telemetry",
              TOPIC,
              "--topic.devices",
              DEVICES_TOPIC,
              "--topic.alert.signals",
              AlertLatency.SHARED_PREFIX + "signals",
              "--topic.alert.actions",
              AlertLatency.SHARED_PREFIX + "actions",
              "--anomaly.rules-file",
              rules.toString()
            },
            Map.of());
    String alertCounter = "alerts-" + run;
    AnomalyJob job =
        new AnomalyJob(
            config,
            KafkaConnectors.boundedSource(
                config.kafka(),
                config.telemetryTopic(),
                new TelemetryDeserializationSchema(
                    config.maxPayloadBytes(), config.maxFutureSkew().toMillis())),
            KafkaConnectors.boundedBroadcastSource(
                config.kafka(), config.devicesTopic(), new DeviceUpdateDeserializationSchema()),
            KafkaConnectors.boundedSource(
                config.kafka(),
                config.signalsTopic(),
                new AlertInputDeserializationSchema(AlertInputDeserializationSchema.Kind.SIGNAL)),
            KafkaConnectors.boundedSource(
                config.kafka(),
                config.actionsTopic(),
                new AlertInputDeserializationSchema(AlertInputDeserializationSchema.Kind.ACTION)),
            List.of(new NamedSink<>("anomaly-alert-sink", new CountingSink<>(alertCounter))),
            new CountingSink<>("dlq-" + run));
    if (variant == Variant.PASS_THROUGH) {
      job = job.withDetectorsPassedThrough();
    }
    Configuration conf = AnomalyJob.flinkConfiguration(config);
    // A checkpoint is not what is measured, and a bounded run needs none.
    conf.removeConfig(CheckpointingOptions.CHECKPOINTING_INTERVAL);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    job.build(env);
    JobExecutionResult result = env.execute("AnomalyJob throughput " + run);
    return new Run(
        result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0, CountingSink.count(alertCounter));
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
