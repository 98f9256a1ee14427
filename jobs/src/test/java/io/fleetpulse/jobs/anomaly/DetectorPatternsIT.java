package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fleetpulse.jobs.testing.CollectingSink;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.Telemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RAPID_CHANGE and STUCK_SENSOR CEP patterns on a MiniCluster, behind the per-device reading
 * order: runs that fire, their near misses, and the same result from out-of-order input.
 */
class DetectorPatternsIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  private static final long T = 1_764_331_200_000L;
  private static final RapidChangeRule JUMP =
      new RapidChangeRule("jump", "pressure", 10, 5_000, 60_000, AlertSeverity.WARNING, List.of());
  private static final StuckSensorRule STUCK =
      new StuckSensorRule("stuck", "pressure", 4, 3_000, 60_000, AlertSeverity.WARNING, List.of());

  @Test
  void aChangeBeyondDeltaWithinTheWindowFiresAndNearMissesDoNot() throws Exception {
    List<Telemetry> readings = new ArrayList<>();
    // 0 → 11 over three readings within 5 s.
    add(readings, "fires", 1000, 0, 4, 8, 11);
    // Exactly delta: not more than it.
    add(readings, "exact", 1000, 0, 5, 10);
    // Beyond delta but over more than the window (one step every 3 s).
    add(readings, "slow", 3000, 0, 6, 12);

    List<Signal> signals = run(readings, 0, s -> RapidChangePattern.detect(s, JUMP));

    assertThat(signals)
        .extracting(Signal::getDeviceId, Signal::getTs, Signal::getRule)
        .containsExactly(tuple("fires", T + 3000, "jump"));
  }

  @Test
  void theSameValueNTimesOverAtLeastTFiresAndNearMissesDoNot() throws Exception {
    List<Telemetry> readings = new ArrayList<>();
    add(readings, "fires", 1000, 5, 5, 5, 5);
    // N − 1 equal readings.
    add(readings, "short", 1000, 5, 5, 5, 6);
    // N equal readings but within less than T.
    add(readings, "fast", 500, 5, 5, 5, 5, 6);

    List<Signal> signals = run(readings, 0, s -> StuckSensorPattern.detect(s, STUCK));

    assertThat(signals)
        .extracting(Signal::getDeviceId, Signal::getTs)
        .containsExactly(tuple("fires", T + 3000));
  }

  @Test
  void outOfOrderReadingsWithinTheBoundGiveTheSameSignals() throws Exception {
    List<Telemetry> ordered = new ArrayList<>();
    add(ordered, "d", 1000, 0, 4, 8, 11, 11, 11, 11, 11);
    List<Telemetry> shuffled = new ArrayList<>(ordered);
    java.util.Collections.swap(shuffled, 1, 2);
    java.util.Collections.swap(shuffled, 5, 6);
    // A much later reading releases what waits for the bound (a bounded test input has no wall
    // clock left to do it).
    Telemetry later = new Telemetry("d", T + 60_000, null, new HashMap<>(Map.of("pressure", 0.0)));
    ordered.add(later);
    shuffled.add(later);

    List<Signal> inOrder = run(ordered, 2_000, DetectorPatternsIT::both);
    List<Signal> outOfOrder = run(shuffled, 2_000, DetectorPatternsIT::both);
    List<Signal> unordered = run(shuffled, 0, DetectorPatternsIT::both);

    assertThat(inOrder)
        .extracting(Signal::getRule, Signal::getTs)
        .containsExactlyInAnyOrder(tuple("jump", T + 3000), tuple("stuck", T + 6000));
    assertThat(outOfOrder)
        .extracting(Signal::getRule, Signal::getTs)
        .containsExactlyInAnyOrderElementsOf(
            inOrder.stream().map(s -> tuple(s.getRule(), s.getTs())).toList());
    // Without the bound the late reading at T + 5 s is dropped: the run completes a reading later.
    assertThat(unordered)
        .extracting(Signal::getRule, Signal::getTs)
        .containsExactlyInAnyOrder(tuple("jump", T + 3000), tuple("stuck", T + 7000));
  }

  private static DataStream<Signal> both(KeyedStream<Telemetry, String> readings) {
    return RapidChangePattern.detect(readings, JUMP)
        .union(StuckSensorPattern.detect(readings, STUCK));
  }

  private static List<Signal> run(
      List<Telemetry> readings,
      long boundMs,
      Function<KeyedStream<Telemetry, String>, DataStream<Signal>> detector)
      throws Exception {
    CollectingSink<Signal> signals = new CollectingSink<>(s -> s);
    StreamExecutionEnvironment env = TestEnvironments.heap(1);
    KeyedStream<Telemetry, String> ordered = OrderedReadings.of(env, readings, boundMs);
    detector.apply(ordered).sinkTo(signals);
    env.execute("detector-patterns");
    return signals.received();
  }

  private static void add(List<Telemetry> readings, String device, long step, double... values) {
    for (int i = 0; i < values.length; i++) {
      Map<String, Double> metrics = new HashMap<>(Map.of("pressure", values[i]));
      readings.add(new Telemetry(device, T + i * step, null, metrics));
    }
  }
}
