package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ThresholdDetectorTest {

  private static final long T = 1_764_331_200_000L;

  /** Above 80 for 2 minutes; clears at 75 or below. */
  private static final ThresholdRule HOT =
      new ThresholdRule(
          "hot", "temperature", null, 80.0, null, 75.0, 120_000, AlertSeverity.CRITICAL);

  @Test
  void aBreachThatHoldsForTheDurationBecomesActive() throws Exception {
    try (var harness = harness()) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 60_000, 86), T);
      harness.processElement(reading(T + 120_000, 87), T);

      List<Signal> signals = harness.extractOutputValues();
      assertThat(signals).hasSize(1);
      assertThat(signals.get(0).getState()).isEqualTo(SignalState.ACTIVE);
      assertThat(signals.get(0).getTs()).isEqualTo(T + 120_000);
      assertThat(signals.get(0).getSeverity()).isEqualTo(AlertSeverity.CRITICAL);
    }
  }

  @Test
  void aBreachShorterThanTheDurationIsANearMiss() throws Exception {
    try (var harness = harness()) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 119_999, 86), T);
      harness.processElement(reading(T + 130_000, 70), T);
      harness.processElement(reading(T + 140_000, 85), T);

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void aDipIntoTheDeadbandDoesNotClearButBelowTheClearThresholdDoes() throws Exception {
    try (var harness = harness()) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 120_000, 85), T);
      harness.processElement(reading(T + 130_000, 78), T);
      harness.processElement(reading(T + 140_000, 75), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getTs)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(SignalState.ACTIVE, T + 120_000),
              org.assertj.core.groups.Tuple.tuple(SignalState.CLEAR, T + 140_000));
    }
  }

  @Test
  void everyFurtherBreachingReadingIsAnotherActive() throws Exception {
    ThresholdRule now =
        new ThresholdRule("hot", "temperature", null, 80.0, null, null, 0, AlertSeverity.WARNING);
    try (var harness = harness(now)) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 1000, 86), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState)
          .containsExactly(SignalState.ACTIVE, SignalState.ACTIVE);
    }
  }

  @Test
  void aReadingOlderThanTheNewestJudgedIsIgnored() throws Exception {
    try (var harness = harness()) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 120_000, 85), T);
      harness.processElement(reading(T + 60_000, 10), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState)
          .containsExactly(SignalState.ACTIVE);
    }
  }

  @Test
  void aReadingWithoutTheMetricIsNotJudged() throws Exception {
    try (var harness = harness()) {
      Telemetry other = new Telemetry("d", T, null, Map.of("battery", 3.0));
      harness.processElement(other, T);

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  static Telemetry reading(long ts, double temperature) {
    return new Telemetry(
        "d", ts, null, new java.util.HashMap<>(Map.of("temperature", temperature)));
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Signal> harness()
      throws Exception {
    return harness(HOT);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Signal> harness(
      ThresholdRule rule) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ThresholdDetector(List.of(rule))),
            Telemetry::getDeviceId,
            Types.STRING);
    harness.setup();
    harness.open();
    return harness;
  }
}
