package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class TelemetryWindowsTest {

  private static final long MINUTE = 60_000L;
  private static final long T0 = 1_764_331_200_000L; // a minute boundary

  @Test
  void closedWindowEmitsCountMinMaxAvgAndLastPerMetric() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(telemetry("d", T0 + 1_000, 20.0, 80.0), T0 + 1_000);
      harness.processElement(telemetry("d", T0 + 3_000, 24.0, 79.0), T0 + 3_000);
      harness.processElement(telemetry("d", T0 + 2_000, 22.0, 78.0), T0 + 2_000);

      harness.processWatermark(T0 + MINUTE - 1);

      List<TelemetryAggregate> out = sorted(harness.extractOutputValues());
      assertThat(out).hasSize(2);
      TelemetryAggregate battery = out.get(0);
      assertThat(battery.getMetric()).isEqualTo("battery");
      assertThat(battery.getCount()).isEqualTo(3);
      assertThat(battery.getMin()).isEqualTo(78.0);
      assertThat(battery.getMax()).isEqualTo(80.0);
      assertThat(battery.getAvg()).isEqualTo(79.0);
      // "last" follows event time, not arrival order: the 3 s reading, not the 2 s one.
      assertThat(battery.getLast()).isEqualTo(79.0);
      TelemetryAggregate temperature = out.get(1);
      assertThat(temperature.getAvg()).isEqualTo(22.0);
      assertThat(temperature.getLast()).isEqualTo(24.0);
      assertThat(temperature.getWindowStart()).isEqualTo(T0);
      assertThat(temperature.getWindowEnd()).isEqualTo(T0 + MINUTE);
    }
  }

  @Test
  void windowStaysOpenUntilTheWatermarkPassesItsEnd() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(telemetry("d", T0 + 1_000, 20.0, 80.0), T0 + 1_000);

      harness.processWatermark(T0 + MINUTE - 2);

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void devicesAreWindowedSeparately() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(telemetry("a", T0 + 1_000, 1.0, 1.0), T0 + 1_000);
      harness.processElement(telemetry("b", T0 + 1_000, 5.0, 5.0), T0 + 1_000);

      harness.processWatermark(T0 + MINUTE);

      assertThat(harness.extractOutputValues())
          .extracting(TelemetryAggregate::getDeviceId, TelemetryAggregate::getMax)
          .containsOnly(
              org.assertj.core.groups.Tuple.tuple("a", 1.0),
              org.assertj.core.groups.Tuple.tuple("b", 5.0));
    }
  }

  @Test
  void recordBehindTheWatermarkBeyondAllowedLatenessGoesToTheLateOutput() throws Exception {
    try (var harness = harness(Duration.ofSeconds(10))) {
      harness.processWatermark(T0 + MINUTE + 10_000);
      Telemetry late = telemetry("d", T0 + 5_000, 20.0, 80.0);

      harness.processElement(late, late.getTs());

      assertThat(harness.extractOutputValues()).isEmpty();
      assertThat(harness.getSideOutput(TelemetryWindows.LATE))
          .extracting(r -> r.getValue())
          .containsExactly(late);
    }
  }

  @Test
  void recordWithinAllowedLatenessUpdatesItsWindow() throws Exception {
    try (var harness = harness(Duration.ofSeconds(10))) {
      harness.processElement(telemetry("d", T0 + 1_000, 20.0, 80.0), T0 + 1_000);
      harness.processWatermark(T0 + MINUTE + 5_000);
      harness.processElement(telemetry("d", T0 + 2_000, 30.0, 70.0), T0 + 2_000);

      List<TelemetryAggregate> out = harness.extractOutputValues();
      // The window fired once on time and once more with the late record included.
      assertThat(out).hasSize(4);
      assertThat(sorted(out.subList(2, 4)).get(1).getCount()).isEqualTo(2);
      assertThat(harness.getSideOutput(TelemetryWindows.LATE)).isNull();
    }
  }

  @Test
  void trendWindowsSlideAndOverlap() throws Exception {
    try (var harness =
        harness(
            keyed ->
                TelemetryWindows.trend(
                    keyed, Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ZERO))) {
      harness.processElement(telemetry("d", T0 + 1_000, 10.0, 1.0), T0 + 1_000);
      harness.processElement(telemetry("d", T0 + MINUTE + 1_000, 20.0, 1.0), T0 + MINUTE + 1_000);

      harness.processWatermark(T0 + 2 * MINUTE - 1);

      // [T0-1m, T0+1m) holds the first reading, [T0, T0+2m) both.
      assertThat(harness.extractOutputValues())
          .filteredOn(a -> a.getMetric().equals("temperature"))
          .extracting(TelemetryAggregate::getWindowStart, TelemetryAggregate::getAvg)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(T0 - MINUTE, 10.0),
              org.assertj.core.groups.Tuple.tuple(T0, 15.0));
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, TelemetryAggregate>
      harness(Duration allowedLateness) throws Exception {
    return harness(
        keyed -> TelemetryWindows.aggregate(keyed, Duration.ofMinutes(1), allowedLateness));
  }

  @SuppressWarnings("unchecked")
  private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, TelemetryAggregate>
      harness(
          java.util.function.Function<
                  org.apache.flink.streaming.api.datastream.KeyedStream<Telemetry, String>,
                  org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator<
                      TelemetryAggregate>>
              window)
          throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    DataStream<Telemetry> input = env.fromData(ModelTypes.TELEMETRY, telemetry("x", T0, 0, 0));
    var windowed = window.apply(input.keyBy(Telemetry::getDeviceId));
    var transformation =
        (OneInputTransformation<Telemetry, TelemetryAggregate>) windowed.getTransformation();
    var operator =
        (OneInputStreamOperator<Telemetry, TelemetryAggregate>)
            ((SimpleOperatorFactory<TelemetryAggregate>) transformation.getOperatorFactory())
                .getOperator();
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            operator, Telemetry::getDeviceId, Types.STRING);
    harness.open();
    return harness;
  }

  private static Telemetry telemetry(String device, long ts, double temperature, double battery) {
    return new Telemetry(device, ts, null, Map.of("temperature", temperature, "battery", battery));
  }

  private static List<TelemetryAggregate> sorted(List<TelemetryAggregate> aggregates) {
    return aggregates.stream().sorted(Comparator.comparing(TelemetryAggregate::getMetric)).toList();
  }
}
