package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.fleet.ExpectedAggregates;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The TelemetryJob through its constructor, on in-memory sources and sinks: no Kafka. */
class TelemetryJobInMemoryIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void aggregatesInMemoryTelemetryExactlyAsMainConfiguresTheJob() throws Exception {
    long t0 = TestTimes.minuteAlignedHourAgo();
    // Grouped by device, so that each of the two source splits holds whole devices in order, as
    // Kafka partitions keyed by device do: the job windows on each device's own event time.
    List<Telemetry> readings =
        new SimulatedFleet(4, "mem")
            .readings(t0, 1_000, 180).stream()
                .sorted(
                    java.util.Comparator.comparing(Telemetry::getDeviceId)
                        .thenComparingLong(Telemetry::getTs))
                .toList();
    CollectingSink<TelemetryAggregate> aggregates =
        new CollectingSink<>(
            a -> ModelJson.fromBytes(ModelJson.toBytes(a), TelemetryAggregate.class));

    run(parsed(readings), aggregates, new CollectingSink<>(d -> d));

    Map<String, TelemetryAggregate> expected =
        ExpectedAggregates.tumbling(readings, TestTimes.MINUTE);
    expected.values().forEach(a -> a.setStatus("unregistered"));
    assertThat(
            aggregates.received().stream()
                .collect(Collectors.toMap(ExpectedAggregates::key, Function.identity())))
        .isEqualTo(expected);
  }

  @Test
  void deadLettersAMalformedRecordWithItsReason() throws Exception {
    ConsumerRecord<byte[], byte[]> bad =
        new ConsumerRecord<>("raw", 0, 7, "d-1".getBytes(), "{not json".getBytes());
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(d -> d);

    run(
        List.of(ParsedTelemetry.invalid(DeadLetters.of(bad, RejectReason.NOT_JSON, "bad"))),
        new CollectingSink<>(a -> a),
        deadLetters);

    assertThat(deadLetters.received())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getReason()).isEqualTo("not_json");
              assertThat(d.getSourceOffset()).isEqualTo(7);
            });
  }

  private static List<ParsedTelemetry> parsed(List<Telemetry> readings) {
    List<ParsedTelemetry> parsed = new ArrayList<>();
    readings.forEach(t -> parsed.add(ParsedTelemetry.valid(t)));
    return parsed;
  }

  private static void run(
      List<ParsedTelemetry> input,
      CollectingSink<TelemetryAggregate> aggregates,
      CollectingSink<DeadLetter> deadLetters)
      throws Exception {
    TelemetryJobConfig config =
        TelemetryJobConfig.load(
            new String[] {"--kafka.bootstrap.servers", "unused:9092"}, Map.of());
    TelemetryJob job =
        new TelemetryJob(
            config,
            TestSources.of(input, TypeInformation.of(ParsedTelemetry.class)),
            // A registry that knows only a device outside the test, so every record is
            // unregistered.
            TestSources.of(
                List.of(new DeviceUpdate("elsewhere", null)),
                TypeInformation.of(DeviceUpdate.class)),
            new TelemetrySinks(
                List.of(new NamedSink<>("aggregates", aggregates)),
                List.of(),
                List.of(),
                deadLetters));
    StreamExecutionEnvironment env =
        TestEnvironments.of(TelemetryJob.flinkConfiguration(config), 2);
    job.build(env);
    env.execute("telemetry-in-memory");
  }
}
