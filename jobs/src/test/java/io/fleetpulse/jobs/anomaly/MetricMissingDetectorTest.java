package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class MetricMissingDetectorTest {

  private static final long T = 1_764_331_200_000L;
  private static final long FOR = 60_000;

  @Test
  void aMetricAbsentForTheDurationWhileTheDeviceReportsFiresAndClearsWhenBack() throws Exception {
    try (var harness = harness("humidity")) {
      harness.processElement(reading(T, "temperature", "humidity"), T);
      harness.processElement(reading(T + 30_000, "temperature"), T);
      harness.processElement(reading(T + 60_000, "temperature"), T);
      harness.processElement(reading(T + 90_000, "temperature"), T);
      harness.processElement(reading(T + 120_000, "temperature", "humidity"), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getTs, Signal::getMetric)
          .containsExactly(
              tuple(SignalState.ACTIVE, T + FOR, "humidity"),
              tuple(SignalState.CLEAR, T + 120_000, "humidity"));
    }
  }

  @Test
  void anAbsenceShorterThanTheDurationIsANearMiss() throws Exception {
    try (var harness = harness("humidity")) {
      harness.processElement(reading(T, "temperature", "humidity"), T);
      harness.processElement(reading(T + 59_999, "temperature"), T);
      harness.processElement(reading(T + 70_000, "temperature", "humidity"), T);

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void aMetricTheDeviceNeverSentIsNotMissing() throws Exception {
    try (var harness = harness("humidity")) {
      harness.processElement(reading(T, "temperature"), T);
      harness.processElement(reading(T + 10 * FOR, "temperature"), T);

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void withoutAMetricTheRuleWatchesEveryMetricTheDeviceSent() throws Exception {
    try (var harness = harness(null)) {
      harness.processElement(reading(T, "temperature", "battery"), T);
      harness.processElement(reading(T + FOR, "temperature"), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getMetric)
          .containsExactly(tuple(SignalState.ACTIVE, "battery"));
    }
  }

  private static Telemetry reading(long ts, String... metrics) {
    Map<String, Double> values = new HashMap<>();
    for (String metric : metrics) {
      values.put(metric, 1.0);
    }
    return new Telemetry("d", ts, null, values);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Signal> harness(
      String metric) throws Exception {
    var rule = new MetricMissingRule("gone", metric, FOR, AlertSeverity.WARNING, List.of());
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new MetricMissingDetector(List.of(rule))),
            Telemetry::getDeviceId,
            Types.STRING);
    harness.setup();
    harness.open();
    return harness;
  }
}
