package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.testing.CollectingSink;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.Telemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each CEP rule behind its {@link PatternGate} finds exactly the matches it finds on the whole
 * stream: random fleets (runs of equal and rising values, jumps, missing metrics, equal ts, devices
 * changing type) through both, in one job on a MiniCluster.
 */
class PatternGatesIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final long T = 1_764_331_200_000L;
  private static final String METRIC = "pressure";
  private static final List<String> PUMPS = List.of("pump");

  private static final List<RapidChangeRule> RAPID =
      List.of(
          new RapidChangeRule("jump", METRIC, 10, 5_000, 60_000, AlertSeverity.WARNING, PUMPS),
          new RapidChangeRule("twitch", METRIC, 3, 2_000, 60_000, AlertSeverity.INFO, List.of()));
  private static final List<StuckSensorRule> STUCK =
      List.of(
          new StuckSensorRule("stuck", METRIC, 4, 3_000, 60_000, AlertSeverity.WARNING, PUMPS),
          new StuckSensorRule("same", METRIC, 3, 0, 60_000, AlertSeverity.INFO, List.of()));
  private static final List<RisingRule> RISING =
      List.of(
          new RisingRule("climbing", METRIC, 3, 60_000, AlertSeverity.WARNING, PUMPS),
          new RisingRule("soaring", METRIC, 5, 60_000, AlertSeverity.INFO, List.of()));

  private static Map<String, List<String>> whole;
  private static Map<String, List<String>> gated;

  @BeforeAll
  static void runBoth() throws Exception {
    List<Telemetry> readings = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      readings.addAll(fleet(new Random(seed), "s" + seed + "-", 20, 400));
    }
    // A slide (from the note of an earlier attempt, a filter that passed on only the two readings
    // of the earliest start in the window): which start matches is left to the pattern.
    double[] slide = {38, 41, 40, 36, 32, 28, 26};
    for (long step : new long[] {500, 1_000}) {
      for (int i = 0; i < slide.length; i++) {
        Map<String, Double> metrics = new HashMap<>(Map.of(METRIC, slide[i]));
        Telemetry reading = new Telemetry("slide-" + step, T + i * step, (long) i, metrics);
        reading.setType("pump");
        readings.add(reading);
      }
    }
    CollectingSink<Signal> wholeSink = new CollectingSink<>(s -> s);
    CollectingSink<Signal> gatedSink = new CollectingSink<>(s -> s);
    StreamExecutionEnvironment env = TestEnvironments.heap(2);
    KeyedStream<Telemetry, String> ordered = OrderedReadings.of(env, readings, 0);
    List<DataStream<Signal>> all = new ArrayList<>();
    List<DataStream<Signal>> behindGates = new ArrayList<>();
    for (RapidChangeRule rule : RAPID) {
      both(ordered, rule, new RapidChangeGate(rule), RapidChangePattern::detect, all, behindGates);
    }
    for (StuckSensorRule rule : STUCK) {
      both(ordered, rule, new StuckSensorGate(rule), StuckSensorPattern::detect, all, behindGates);
    }
    for (RisingRule rule : RISING) {
      both(ordered, rule, new RisingGate(rule), RisingPattern::detect, all, behindGates);
    }
    union(all).sinkTo(wholeSink);
    union(behindGates).sinkTo(gatedSink);
    env.execute("pattern-gates");
    whole = byRuleAndDevice(wholeSink.received());
    gated = byRuleAndDevice(gatedSink.received());
  }

  @Test
  void everyRuleFindsTheSameMatchesBehindItsGate() {
    assertThat(gated).isEqualTo(whole);
  }

  @Test
  void aSlowSlideMatchesFromTheStartThePatternChooses() {
    for (String device : List.of("jump/slide-500", "jump/slide-1000")) {
      assertThat(whole.get(device)).as(device).hasSize(1);
      assertThat(gated.get(device)).as(device).isEqualTo(whole.get(device));
    }
  }

  @Test
  void theRandomFleetsMatchEveryRuleOften() {
    // A comparison of two empty results would prove nothing.
    for (String rule : List.of("jump", "twitch", "stuck", "same", "climbing", "soaring")) {
      long matches =
          whole.entrySet().stream()
              .filter(e -> e.getKey().startsWith(rule + "/"))
              .mapToLong(e -> e.getValue().size())
              .sum();
      assertThat(matches).as(rule).isGreaterThan(20);
    }
  }

  private static <R extends SequenceRule> void both(
      KeyedStream<Telemetry, String> ordered,
      R rule,
      PatternGate<R> gate,
      BiFunction<KeyedStream<Telemetry, String>, R, DataStream<Signal>> detect,
      List<DataStream<Signal>> all,
      List<DataStream<Signal>> behindGates) {
    all.add(detect.apply(ordered, rule));
    behindGates.add(detect.apply(PatternGate.gate(ordered, gate, "gate-" + rule.name()), rule));
  }

  private static DataStream<Signal> union(List<DataStream<Signal>> streams) {
    DataStream<Signal> union = streams.get(0);
    for (DataStream<Signal> other : streams.subList(1, streams.size())) {
      union = union.union(other);
    }
    return union;
  }

  /** Each (rule, device)'s signals in the order they came, as what a signal says. */
  private static Map<String, List<String>> byRuleAndDevice(List<Signal> signals) {
    Map<String, List<String>> grouped = new TreeMap<>();
    for (Signal s : signals) {
      grouped
          .computeIfAbsent(s.getRule() + "/" + s.getDeviceId(), k -> new ArrayList<>())
          .add(s.getTs() + " " + s.getValue() + " " + s.getMessage());
    }
    return grouped;
  }

  /**
   * Devices whose readings come 0 (the same ts) to 7 s apart, with values that repeat, rise, wander
   * and jump, sometimes without the metric, and stretches as another device type.
   */
  private static List<Telemetry> fleet(Random random, String prefix, int devices, int each) {
    List<Telemetry> readings = new ArrayList<>();
    long[] steps = {0, 100, 500, 1_000, 1_000, 3_000, 7_000};
    for (int d = 0; d < devices; d++) {
      String device = prefix + d;
      long ts = T;
      double value = 0;
      String type = "pump";
      for (int i = 0; i < each; i++) {
        ts += steps[random.nextInt(steps.length)];
        double roll = random.nextDouble();
        if (roll < 0.3) {
          // the same value again
        } else if (roll < 0.6) {
          value += 1;
        } else if (roll < 0.7) {
          value -= 3;
        } else if (roll < 0.9) {
          value = random.nextInt(6);
        } else {
          value += random.nextBoolean() ? 20 : -20;
        }
        if (random.nextDouble() < 0.05) {
          type = type.equals("pump") ? "fan" : "pump";
        }
        Map<String, Double> metrics = new HashMap<>();
        if (random.nextDouble() >= 0.08) {
          metrics.put(METRIC, value);
        }
        if (random.nextBoolean()) {
          metrics.put("battery", 90.0);
        }
        Telemetry reading = new Telemetry(device, ts, (long) i, metrics);
        reading.setType(type);
        readings.add(reading);
      }
    }
    return readings;
  }
}
