package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.Threshold;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
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

  private static KeyedBroadcastOperatorTestHarness<String, Telemetry, DeviceUpdate, Signal>
      harness() throws Exception {
    return harness(HOT);
  }

  static KeyedBroadcastOperatorTestHarness<String, Telemetry, DeviceUpdate, Signal> harness(
      ThresholdRule rule) throws Exception {
    var harness =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new ThresholdDetector(List.of(rule)), List.of(DeviceRegistry.STATE)),
            Telemetry::getDeviceId,
            Types.STRING,
            1,
            1,
            0);
    harness.setup();
    harness.open();
    return harness;
  }

  @Test
  void nBreachingReadingsInARowFire() throws Exception {
    ThresholdRule three =
        new ThresholdRule(
            "hot",
            "temperature",
            null,
            80.0,
            null,
            null,
            0,
            3,
            0,
            AlertSeverity.WARNING,
            List.of());
    try (var harness = harness(three)) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 1000, 86), T);
      assertThat(harness.extractOutputValues()).isEmpty();
      harness.processElement(reading(T + 2000, 87), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getTs)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(SignalState.ACTIVE, T + 2000));
    }
  }

  @Test
  void nMinusOneBreachesThenANormalReadingIsANearMiss() throws Exception {
    ThresholdRule three =
        new ThresholdRule(
            "hot",
            "temperature",
            null,
            80.0,
            null,
            null,
            0,
            3,
            0,
            AlertSeverity.WARNING,
            List.of());
    try (var harness = harness(three)) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 1000, 86), T);
      harness.processElement(reading(T + 2000, 70), T);
      harness.processElement(reading(T + 3000, 85), T);
      harness.processElement(reading(T + 4000, 86), T);

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void itClearsOnlyAfterTheClearDurationInsideTheClearBand() throws Exception {
    ThresholdRule clearFor =
        new ThresholdRule(
            "hot",
            "temperature",
            null,
            80.0,
            null,
            75.0,
            0,
            1,
            60_000,
            AlertSeverity.WARNING,
            List.of());
    try (var harness = harness(clearFor)) {
      harness.processElement(reading(T, 85), T);
      harness.processElement(reading(T + 1000, 70), T);
      harness.processElement(reading(T + 60_000, 70), T);
      // A dip back above the clear band restarts the clear duration.
      harness.processElement(reading(T + 62_000, 78), T);
      harness.processElement(reading(T + 63_000, 70), T);
      harness.processElement(reading(T + 122_999, 70), T);
      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState)
          .containsExactly(SignalState.ACTIVE);
      harness.processElement(reading(T + 123_000, 70), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getTs)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(SignalState.ACTIVE, T),
              org.assertj.core.groups.Tuple.tuple(SignalState.CLEAR, T + 123_000));
    }
  }

  @Test
  void theRegistrysThresholdsReplaceTheRulesBoundsKeepingTheDeadband() throws Exception {
    ThresholdRule now =
        new ThresholdRule("hot", "temperature", null, 80.0, null, 75.0, 0, AlertSeverity.WARNING);
    try (var harness = harness(now)) {
      Device device =
          new Device(
              "d",
              "freezer",
              "site",
              "1.0",
              60,
              Map.of("temperature", new Threshold(null, 10.0)),
              io.fleetpulse.model.DeviceStatus.ACTIVE);
      harness.processBroadcastElement(new DeviceUpdate("d", device), T);
      harness.processElement(reading(T, 50), T);
      // Inside the shifted deadband (5..10]: still active.
      harness.processElement(reading(T + 1000, 7), T);
      harness.processElement(reading(T + 2000, 4), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getValue)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(SignalState.ACTIVE, 50.0),
              org.assertj.core.groups.Tuple.tuple(SignalState.CLEAR, 4.0));
    }
  }

  @Test
  void aRuleForOtherDeviceTypesIgnoresTheDevice() throws Exception {
    ThresholdRule freezers =
        new ThresholdRule(
            "hot",
            "temperature",
            null,
            80.0,
            null,
            null,
            0,
            1,
            0,
            AlertSeverity.WARNING,
            List.of("freezer"));
    try (var harness = harness(freezers)) {
      Device oven =
          new Device("d", "oven", "site", "1.0", 60, null, io.fleetpulse.model.DeviceStatus.ACTIVE);
      harness.processBroadcastElement(new DeviceUpdate("d", oven), T);
      harness.processElement(reading(T, 200), T);
      assertThat(harness.extractOutputValues()).isEmpty();

      Device freezer =
          new Device(
              "d", "freezer", "site", "1.0", 60, null, io.fleetpulse.model.DeviceStatus.ACTIVE);
      harness.processBroadcastElement(new DeviceUpdate("d", freezer), T);
      harness.processElement(reading(T + 1000, 200), T);
      assertThat(harness.extractOutputValues()).hasSize(1);
    }
  }

  /** The README's "for a duration" example, reading by reading (every 30 s). */
  @Test
  void theReadmesForADurationExample() throws Exception {
    ThresholdRule hot =
        new ThresholdRule(
            "hot",
            "temperature",
            null,
            80.0,
            null,
            75.0,
            120_000,
            1,
            60_000,
            AlertSeverity.WARNING,
            List.of());
    assertThat(every30s(hot, 82, 85, 79, 83, 84, 86, 88, 90, 78, 74, 73, 72))
        .extracting(Signal::getState, Signal::getTs)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SignalState.ACTIVE, T + 210_000),
            org.assertj.core.groups.Tuple.tuple(SignalState.CLEAR, T + 330_000));
  }

  /** The README's "N times in a row" example, then its deadband and clear. */
  @Test
  void theReadmesTimesInARowExample() throws Exception {
    ThresholdRule cold =
        new ThresholdRule(
            "cold",
            "temperature",
            -10.0,
            null,
            -5.0,
            null,
            0,
            3,
            0,
            AlertSeverity.WARNING,
            List.of());
    assertThat(every30s(cold, -11, -12, -9, -11, -11, -13, -7, -4))
        .extracting(Signal::getState, Signal::getTs)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SignalState.ACTIVE, T + 150_000),
            org.assertj.core.groups.Tuple.tuple(SignalState.CLEAR, T + 210_000));
  }

  /** The signals of {@code rule} for one device's readings, 30 s apart from T. */
  private static List<Signal> every30s(ThresholdRule rule, double... values) throws Exception {
    try (var harness = harness(rule)) {
      for (int i = 0; i < values.length; i++) {
        harness.processElement(reading(T + i * 30_000L, values[i]), T);
      }
      return harness.extractOutputValues();
    }
  }
}
