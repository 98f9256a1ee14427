package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
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
}
