package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Telemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** What each gate passes to its CEP operator: nothing while no match is possible, then all. */
class PatternGateTest {

  private static final long T = 1_764_331_200_000L;
  private static final long BREAK = Long.MAX_VALUE;

  @Test
  void aSteadyDevicePassesNothingToAnyPattern() throws Exception {
    for (PatternGate<?> gate :
        List.of(
            new RapidChangeGate(
                new RapidChangeRule(
                    "jump", "t", 30, 30_000, 60_000, AlertSeverity.WARNING, List.of())),
            new StuckSensorGate(
                new StuckSensorRule(
                    "stuck", "t", 10, 60_000, 120_000, AlertSeverity.WARNING, List.of())),
            new RisingGate(
                new RisingRule("rise", "t", 5, 60_000, AlertSeverity.WARNING, List.of())))) {
      try (var harness = harness(gate)) {
        for (int i = 0; i < 500; i++) {
          harness.processElement(reading(T + i * 200L, 20 + (i % 2) * 0.5), T);
        }
        assertThat(harness.extractOutputValues()).as(gate.rule.name()).isEmpty();
      }
    }
  }

  @Test
  void aJumpReplaysTheWindowAfterABreakAndTheGateClosesAWindowAfterTheLastJump() throws Exception {
    RapidChangeRule rule =
        new RapidChangeRule("jump", "t", 10, 5_000, 60_000, AlertSeverity.WARNING, List.of());
    try (var harness = harness(new RapidChangeGate(rule))) {
      harness.processElement(reading(T, 0), T);
      harness.processElement(reading(T + 4_000, 1), T);
      harness.processElement(reading(T + 6_000, 2), T);
      harness.processElement(reading(T + 8_000, 15), T);
      harness.processElement(reading(T + 12_000, 15), T);
      harness.processElement(reading(T + 13_001, 15), T);
      harness.processElement(reading(T + 14_000, 15), T);

      assertThat(harness.extractOutputValues())
          .extracting(Telemetry::getTs)
          .containsExactly(BREAK, T + 4_000, T + 6_000, T + 8_000, T + 12_000, BREAK);
    }
  }

  @Test
  void aRunLongEnoughOpensTheGateUntilTheRunEnds() throws Exception {
    StuckSensorRule rule =
        new StuckSensorRule("stuck", "t", 3, 2_000, 60_000, AlertSeverity.WARNING, List.of());
    try (var harness = harness(new StuckSensorGate(rule))) {
      harness.processElement(reading(T, 7), T);
      harness.processElement(reading(T + 1_000, 5), T);
      harness.processElement(reading(T + 2_000, 5), T);
      harness.processElement(reading(T + 3_000, 5), T);
      harness.processElement(reading(T + 4_000, 5), T);
      harness.processElement(reading(T + 5_000, 6), T);
      harness.processElement(reading(T + 6_000, 6), T);

      assertThat(harness.extractOutputValues())
          .extracting(Telemetry::getTs, r -> r.getMetrics().get("t"))
          .containsExactly(
              tuple(BREAK, null),
              tuple(T + 1_000, 5.0),
              tuple(T + 2_000, 5.0),
              tuple(T + 3_000, 5.0),
              tuple(T + 4_000, 5.0),
              tuple(BREAK, null));
    }
  }

  @Test
  void aGateRestoredOnRocksDbPassesWhatAnUninterruptedOneDoes() throws Exception {
    RapidChangeRule rule =
        new RapidChangeRule("jump", "t", 10, 5_000, 60_000, AlertSeverity.WARNING, List.of());
    double[] values = {0, 1, 2, 15, 15, 15, 15, 3, 3, 3, 3, 3};
    List<String> uninterrupted;
    try (var harness = harness(new RapidChangeGate(rule))) {
      for (int i = 0; i < values.length; i++) {
        harness.processElement(reading(T + i * 2_000L, values[i]), T);
      }
      uninterrupted = passed(harness.extractOutputValues());
    }

    OperatorSubtaskState snapshot;
    List<String> restored;
    try (var before = harness(new RapidChangeGate(rule), new EmbeddedRocksDBStateBackend(), null)) {
      // Held back (0, 1, 2), then open (15), then restored while open.
      for (int i = 0; i < 5; i++) {
        before.processElement(reading(T + i * 2_000L, values[i]), T);
      }
      snapshot = before.snapshot(1, T);
      restored = passed(before.extractOutputValues());
    }
    try (var after =
        harness(new RapidChangeGate(rule), new EmbeddedRocksDBStateBackend(), snapshot)) {
      for (int i = 5; i < values.length; i++) {
        after.processElement(reading(T + i * 2_000L, values[i]), T);
      }
      restored.addAll(passed(after.extractOutputValues()));
    }

    assertThat(uninterrupted).contains(T + 6_000 + " 15.0");
    assertThat(restored).isEqualTo(uninterrupted);
  }

  @Test
  void theGateStateIsAPojoOfArraysNotKryo() {
    assertThat(PatternGate.STATE).isInstanceOf(PojoTypeInfo.class);
    PojoTypeInfo<GateReadings> pojo = (PojoTypeInfo<GateReadings>) PatternGate.STATE;
    for (int i = 0; i < pojo.getArity(); i++) {
      assertThat(pojo.getTypeAt(i))
          .as(pojo.getPojoFieldAt(i).getField().getName())
          .isNotInstanceOf(GenericTypeInfo.class);
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Telemetry> harness(
      PatternGate<?> gate) throws Exception {
    return harness(gate, null, null);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Telemetry> harness(
      PatternGate<?> gate, StateBackend backend, OperatorSubtaskState state) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(gate), Telemetry::getDeviceId, Types.STRING);
    if (backend != null) {
      harness.setStateBackend(backend);
    }
    harness.setup(ModelTypes.TELEMETRY.createSerializer(new SerializerConfigImpl()));
    if (state != null) {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  /** What reached the pattern: each reading's ts and metric. */
  private static List<String> passed(List<Telemetry> readings) {
    List<String> passed = new ArrayList<>();
    for (Telemetry r : readings) {
      passed.add(r.getTs() + " " + r.getMetrics().get("t"));
    }
    return passed;
  }

  private static Telemetry reading(long ts, double value) {
    Map<String, Double> metrics = new HashMap<>();
    metrics.put("t", value);
    metrics.put("battery", 90.0);
    Telemetry reading = new Telemetry("d", ts, null, metrics);
    reading.setType("pump");
    return reading;
  }
}
