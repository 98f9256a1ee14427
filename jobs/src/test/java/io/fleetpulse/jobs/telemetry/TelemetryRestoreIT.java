package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
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

/**
 * A failure and a restore from a checkpoint re-open no window: what was late stays late, and no
 * window is written twice with different values. Kafka, because offsets and transactions are the
 * point.
 */
@ExtendWith(KafkaExtension.class)
class TelemetryRestoreIT {

  private static final long MINUTE = TestTimes.MINUTE;

  /** Set when the injected failure happened; the restored job then passes the poison on. */
  private static final AtomicBoolean FAILED = new AtomicBoolean();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void aRecordLateBeforeAFailureIsLateAfterTheRestoreAndNoWindowChanges(KafkaTestClient kafka)
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig config = config(kafka, run);
    kafka.createTopics(1, config.topics(), List.of(config.devicesTopic()));
    long t0 = TestTimes.minuteAlignedHourAgo();
    String raw = config.rawTopic();

    JobClient job = start(config);
    try {
      kafka.produce(
          List.of(
              record(raw, "d", t0 + 1_000, 1, 10.0),
              record(raw, "d", t0 + MINUTE + 6_000, 2, 11.0)));
      // The window [t0, t0+1m) of d is closed; a record for it is late.
      kafka.produce(List.of(record(raw, "d", t0 + 2_000, 3, 99.0)));
      // Read committed: the dead letter is visible once the checkpoint after it completed.
      assertThat(kafka.consume(config.deadLetterTopic(), 1, Duration.ofSeconds(60))).hasSize(1);

      // The poison device's window closes, the observing sink fails once, the job restores.
      kafka.produce(
          List.of(
              record(raw, "poison", t0 + 1_000, 1, 1.0),
              record(raw, "poison", t0 + MINUTE + 6_000, 2, 1.0)));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!FAILED.get() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(FAILED).isTrue();
      kafka.produce(List.of(record(raw, "d", t0 + 3_000, 4, 77.0)));

      List<ConsumerRecord<byte[], byte[]>> dlq =
          kafka.consume(config.deadLetterTopic(), 2, Duration.ofSeconds(60));
      assertThat(dlq)
          .extracting(
              r -> new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
          .containsExactly("late", "late");
      assertThat(dlq)
          .extracting(
              r ->
                  new String(
                      r.headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value(), UTF_8))
          .containsExactly("2", "5");
      assertThat(kafka.consume(config.aggregateTopic(), 2, Duration.ofSeconds(60)))
          .extracting(r -> ModelJson.fromBytes(r.value(), TelemetryAggregate.class))
          // The committed aggregates: d's window once, with its one on-time record; poison's once.
          .filteredOn(a -> a.getDeviceId().equals("d") && a.getWindowStart() == t0)
          .extracting(TelemetryAggregate::getCount, TelemetryAggregate::getAvg)
          .containsOnly(org.assertj.core.groups.Tuple.tuple(1L, 10.0));
    } finally {
      job.cancel().get();
    }
  }

  private static JobClient start(TelemetryJobConfig config) throws Exception {
    Configuration conf = new Configuration(TelemetryJob.flinkConfiguration(config));
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = JobEnvironment.create(conf);
    env.setParallelism(1);
    TelemetryJob.kafkaJob(config, false)
        .withAggregateSink(new NamedSink<>("fail-once-on-poison", new FailOnceOnPoison()))
        .build(env);
    return env.executeAsync("telemetry-restore-it");
  }

  private static TelemetryJobConfig config(KafkaTestClient kafka, String run) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap.servers", kafka.bootstrapServers(),
                "--kafka.group.id", "telemetry-restore-" + run,
                "--kafka.delivery.guarantee", "EXACTLY_ONCE",
                "--kafka.transactional-id-prefix", "telemetry-restore-" + run,
                "--topic.telemetry.raw", "raw-" + run,
                "--topic.telemetry.dlq", "dlq-" + run,
                "--topic.telemetry.agg", "agg-" + run,
                "--topic.devices", "devices-" + run,
                "--watermark.out-of-orderness", "5s",
                "--checkpoint.interval", "500ms"));
    return TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, String device, long ts, long seq, double value) {
    return new ProducerRecord<>(
        topic,
        0,
        device.getBytes(UTF_8),
        ModelJson.toBytes(new Telemetry(device, ts, seq, Map.of("temperature", value))));
  }

  /** A sink that fails the job the first time it sees an aggregate of device {@code poison}. */
  private static final class FailOnceOnPoison implements Sink<TelemetryAggregate> {
    @Override
    public SinkWriter<TelemetryAggregate> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(TelemetryAggregate aggregate, Context context) {
          if (aggregate.getDeviceId().equals("poison") && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure");
          }
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }

    @Override
    @Deprecated
    public SinkWriter<TelemetryAggregate> createWriter(InitContext context) {
      throw new UnsupportedOperationException("Flink 1.20 calls createWriter(WriterInitContext)");
    }
  }
}
