package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.jobs.testing.CollectingSink;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.jobs.testing.TestSources;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-device event time through the job's constructor: one device's time affects nobody else. */
class TelemetryDeviceTimeIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final long MINUTE = TestTimes.MINUTE;

  @Test
  void aDeviceWithAClockTwoMinutesFastMakesNoNeighbourLate() throws Exception {
    long t0 = TestTimes.minuteAlignedHourAgo();
    int readings = 600;
    List<Telemetry> onTime = new ArrayList<>();
    for (int i = 0; i < readings; i++) {
      onTime.add(FastClock.reading("right", t0, i));
    }
    CollectingSink<TelemetryAggregate> aggregates = aggregateSink();
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(d -> d);

    // Parallelism 1: one source split, so both devices share one "partition".
    StreamExecutionEnvironment env = environment(Map.of(), 1);
    job(
            Map.of(),
            new DataGeneratorSource<>(
                new FastClock(t0, readings),
                2L * readings,
                RateLimiterStrategy.noOp(),
                TypeInformation.of(ParsedTelemetry.class)),
            aggregates,
            deadLetters)
        .build(env);
    env.execute("fast-clock");

    Map<String, TelemetryAggregate> expected = ExpectedAggregates.tumbling(onTime, MINUTE);
    expected.values().forEach(a -> a.setStatus("unregistered"));
    assertThat(byKey(aggregates, "right")).isEqualTo(expected);
    assertThat(byKey(aggregates, "fast")).hasSize(expected.size());
    assertThat(deadLetters.received()).isEmpty();
  }

  /**
   * Two devices interleaved, "fast" 2 minutes ahead; half-way the source pauses longer than the
   * periodic watermark interval, so a per-partition watermark surely passes the other's time.
   */
  private static final class FastClock implements GeneratorFunction<Long, ParsedTelemetry> {
    private final long t0;
    private final int readings;

    FastClock(long t0, int readings) {
      this.t0 = t0;
      this.readings = readings;
    }

    static Telemetry reading(String device, long t0, long i) {
      long skew = device.equals("fast") ? 2 * MINUTE : 0;
      return new Telemetry(device, t0 + skew + i * 1_000L, i, metrics((int) i));
    }

    @Override
    public ParsedTelemetry map(Long index) throws Exception {
      if (index == readings) {
        Thread.sleep(600);
      }
      return ParsedTelemetry.valid(reading(index % 2 == 0 ? "fast" : "right", t0, index / 2));
    }
  }

  @Test
  void aPartitionOfOnlyRejectedRecordsHoldsNoHealthyWindowBack() throws Exception {
    long t0 = TestTimes.minuteAlignedHourAgo();
    int healthy = 360;
    // Two splits of [0, 2 * healthy): the first healthy readings of three devices, the second
    // rejects only, slowly (a device sending epoch seconds for a minute), so that partition is
    // neither idle nor finished while the healthy windows must fire.
    GeneratorFunction<Long, ParsedTelemetry> records = new Records(t0, healthy);
    Source<ParsedTelemetry, ?, ?> source =
        new DataGeneratorSource<>(
            records,
            2L * healthy,
            RateLimiterStrategy.noOp(),
            TypeInformation.of(ParsedTelemetry.class));
    List<Telemetry> readings = new ArrayList<>();
    for (long i = 0; i < healthy; i++) {
      readings.add(Records.reading(t0, i));
    }
    Map<String, TelemetryAggregate> expected = ExpectedAggregates.tumbling(readings, MINUTE);
    expected.values().forEach(a -> a.setStatus("unregistered"));
    CollectingSink<TelemetryAggregate> aggregates = aggregateSink();
    Map<String, String> fastIdle = Map.of("window.idle-timeout", "1s");
    StreamExecutionEnvironment env = environment(fastIdle, 2);
    job(fastIdle, source, aggregates, new CollectingSink<>(d -> d)).build(env);

    JobClient client = env.executeAsync("rejects-only-partition");
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (aggregates.received().size() < expected.size() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      // Still running: the windows fired while the rejecting partition was live.
      assertThat(client.getJobStatus().get().isGloballyTerminalState()).isFalse();
      assertThat(
              aggregates.received().stream()
                  .collect(Collectors.toMap(ExpectedAggregates::key, Function.identity())))
          .isEqualTo(expected);
    } finally {
      client.cancel().get();
    }
  }

  @Test
  void aReplayedBacklogOfThreeHoursWithTwoRebootsLosesNothingAndDropsOnlyTheDuplicates()
      throws Exception {
    long t0 = TestTimes.minuteAlignedHourAgo() - 3 * 60 * MINUTE;
    List<Telemetry> originals = new ArrayList<>();
    List<ParsedTelemetry> input = new ArrayList<>();
    int duplicates = 0;
    for (int i = 0; i < 3 * 60 * 6; i++) {
      // One reading every 10 s for 3 hours; the device reboots every hour: seq counts from 1.
      long seq = 1 + i % (60 * 6);
      for (String device : List.of("b-1", "b-2")) {
        Telemetry reading = new Telemetry(device, t0 + i * 10_000L, seq, metrics(i));
        originals.add(reading);
        input.add(ParsedTelemetry.valid(reading));
        if (i % 37 == 0) {
          // A redelivery of the same message, a little later.
          input.add(
              ParsedTelemetry.valid(
                  new Telemetry(
                      device, reading.getTs(), seq, new java.util.HashMap<>(metrics(i)))));
          duplicates++;
        }
      }
    }
    CollectingSink<TelemetryAggregate> aggregates = aggregateSink();
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(d -> d);
    // One split, as in Kafka: the bridge keys by device, so a device's records keep their order.
    StreamExecutionEnvironment env = environment(Map.of(), 1);
    job(
            Map.of(),
            TestSources.of(input, TypeInformation.of(ParsedTelemetry.class)),
            aggregates,
            deadLetters)
        .build(env);
    long started = System.nanoTime();
    env.execute("backlog");

    assertThat(duplicates).isGreaterThan(0);
    assertThat(input).hasSize(originals.size() + duplicates);
    Map<String, TelemetryAggregate> expected = ExpectedAggregates.tumbling(originals, MINUTE);
    expected.values().forEach(a -> a.setStatus("unregistered"));
    assertThat(byKey(aggregates, "b-1")).hasSize(3 * 60 * 2);
    assertThat(
            aggregates.received().stream()
                .collect(Collectors.toMap(ExpectedAggregates::key, Function.identity())))
        .isEqualTo(expected);
    assertThat(deadLetters.received()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMinutes(1));
  }

  /** Healthy readings below {@code healthy}, then one reject every 100 ms. */
  private static final class Records implements GeneratorFunction<Long, ParsedTelemetry> {
    private final long t0;
    private final long healthy;

    Records(long t0, long healthy) {
      this.t0 = t0;
      this.healthy = healthy;
    }

    static Telemetry reading(long t0, long i) {
      return new Telemetry("h-" + (i % 3), t0 + (i / 3) * 1_000L, i / 3, metrics((int) i));
    }

    @Override
    public ParsedTelemetry map(Long index) throws Exception {
      if (index < healthy) {
        return ParsedTelemetry.valid(reading(t0, index));
      }
      Thread.sleep(100);
      ConsumerRecord<byte[], byte[]> bad =
          new ConsumerRecord<>("raw", 1, index, "s".getBytes(), "{}".getBytes());
      return ParsedTelemetry.invalid(DeadLetters.of(bad, RejectReason.TS_TOO_OLD, "seconds"));
    }
  }

  private static Map<String, Double> metrics(int i) {
    return Map.of("temperature", 20.0 + (i % 7), "battery", 100.0 - (i % 11));
  }

  private static CollectingSink<TelemetryAggregate> aggregateSink() {
    return new CollectingSink<>(
        a -> ModelJson.fromBytes(ModelJson.toBytes(a), TelemetryAggregate.class));
  }

  private static Map<String, TelemetryAggregate> byKey(
      CollectingSink<TelemetryAggregate> aggregates, String device) {
    return aggregates.received().stream()
        .filter(a -> a.getDeviceId().equals(device))
        .collect(Collectors.toMap(ExpectedAggregates::key, Function.identity()));
  }

  private static TelemetryJobConfig config(Map<String, String> extra) {
    List<String> args = new ArrayList<>(List.of("--kafka.bootstrap.servers", "unused:9092"));
    extra.forEach(
        (k, v) -> {
          args.add("--" + k);
          args.add(v);
        });
    return TelemetryJobConfig.load(args.toArray(String[]::new), Map.of());
  }

  private static StreamExecutionEnvironment environment(Map<String, String> extra, int p) {
    return TestEnvironments.of(TelemetryJob.flinkConfiguration(config(extra)), p);
  }

  private static TelemetryJob job(
      Map<String, String> extra,
      Source<ParsedTelemetry, ?, ?> telemetry,
      CollectingSink<TelemetryAggregate> aggregates,
      CollectingSink<DeadLetter> deadLetters) {
    return new TelemetryJob(
        config(extra),
        telemetry,
        TestSources.of(
            List.of(new DeviceUpdate("elsewhere", null)), TypeInformation.of(DeviceUpdate.class)),
        new TelemetrySinks(
            List.of(new NamedSink<>("aggregates", aggregates)), List.of(), List.of(), deadLetters));
  }
}
