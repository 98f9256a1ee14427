package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.testing.CollectingSink;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.jobs.testing.TestSources;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.Telemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The RISING CEP pattern on a MiniCluster: a run that fires and its near misses. */
class RisingPatternIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  private static final long T = 1_764_331_200_000L;

  @Test
  void fourRisingReadingsInARowFireAndNearMissesDoNot() throws Exception {
    List<Telemetry> readings = new ArrayList<>();
    add(readings, "fires", 1, 2, 3, 4);
    // Three rises only.
    add(readings, "short", 1, 2, 3);
    // Four readings, but one is not higher than the one before.
    add(readings, "dips", 1, 2, 2, 3);
    // A reading without the metric in between breaks the run.
    add(readings, "gap", 1, 2);
    readings.add(new Telemetry("gap", T + 10_000, null, new HashMap<>(Map.of("other", 1.0))));
    readings.add(new Telemetry("gap", T + 11_000, null, new HashMap<>(Map.of("pressure", 3.0))));
    readings.add(new Telemetry("gap", T + 12_000, null, new HashMap<>(Map.of("pressure", 4.0))));

    CollectingSink<Signal> signals = new CollectingSink<>(s -> s);
    StreamExecutionEnvironment env = TestEnvironments.heap(1);
    RisingPattern.detect(
            env.fromSource(
                    TestSources.of(readings, ModelTypes.TELEMETRY),
                    WatermarkStrategy.noWatermarks(),
                    "readings")
                .keyBy(Telemetry::getDeviceId, Types.STRING),
            new RisingRule("climb", "pressure", 4, 60_000, AlertSeverity.WARNING))
        .sinkTo(signals);
    env.execute("rising-pattern");

    assertThat(signals.received())
        .singleElement()
        .satisfies(s -> assertThat(s.getDeviceId()).isEqualTo("fires"))
        .satisfies(s -> assertThat(s.getTs()).isEqualTo(T + 3000))
        .satisfies(s -> assertThat(s.getClearAfterMs()).isEqualTo(60_000L));
  }

  private static void add(List<Telemetry> readings, String device, double... values) {
    for (int i = 0; i < values.length; i++) {
      readings.add(
          new Telemetry(device, T + i * 1000L, null, new HashMap<>(Map.of("pressure", values[i]))));
    }
  }
}
