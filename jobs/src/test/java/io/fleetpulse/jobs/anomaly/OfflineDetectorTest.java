package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

class OfflineDetectorTest {

  private static final long T = 1_764_331_200_000L;

  /** Default heartbeat 10 s, offline after 3 missed: 30 s. */
  private static final long DEADLINE = 30_000;

  @Test
  void liveASilentDeviceGoesOfflineAtTheWallClockDeadlineAndClearsWhenItSpeaks() throws Exception {
    try (var harness = harness()) {
      harness.setProcessingTime(0);
      harness.processElement(reading("d", T), T);
      harness.setProcessingTime(DEADLINE - 1);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.setProcessingTime(DEADLINE);
      harness.processElement(reading("d", T + 100_000), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getTs)
          .containsExactly(
              tuple(SignalState.ACTIVE, T + DEADLINE), tuple(SignalState.CLEAR, T + 100_000));
    }
  }

  @Test
  void aReplayedGapGivesTheSameSignalsAsTheLiveTimer() throws Exception {
    try (var harness = harness()) {
      harness.setProcessingTime(0);
      harness.processElement(reading("d", T), T);
      // Replay speed: the wall clock does not move, the device's time jumps.
      harness.processElement(reading("d", T + 100_000), T);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getState, Signal::getTs)
          .containsExactly(
              tuple(SignalState.ACTIVE, T + DEADLINE), tuple(SignalState.CLEAR, T + 100_000));
    }
  }

  @Test
  void aDeviceThatSpeaksInTimeNeverGoesOffline() throws Exception {
    try (var harness = harness()) {
      harness.setProcessingTime(0);
      for (int i = 0; i < 10; i++) {
        harness.processElement(reading("d", T + i * 20_000L), T);
        harness.setProcessingTime((i + 1) * 20_000L);
      }

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void theRegistrysHeartbeatSetsTheDeadline() throws Exception {
    try (var harness = harness()) {
      Device device = new Device();
      device.setDeviceId("d");
      device.setHeartbeatSeconds(60);
      harness.processBroadcastElement(new DeviceUpdate("d", device), T);
      harness.setProcessingTime(0);
      harness.processElement(reading("d", T), T);
      harness.setProcessingTime(DEADLINE);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.setProcessingTime(180_000);
      assertThat(harness.extractOutputValues())
          .extracting(Signal::getTs)
          .containsExactly(T + 180_000);
    }
  }

  @Test
  void aWholeSilentFleetGetsItsAlerts() throws Exception {
    try (var harness = harness()) {
      harness.setProcessingTime(0);
      for (int i = 0; i < 50; i++) {
        harness.processElement(reading("d" + i, T), T);
      }
      harness.setProcessingTime(DEADLINE);

      assertThat(harness.extractOutputValues())
          .extracting(Signal::getDeviceId)
          .hasSize(50)
          .doesNotHaveDuplicates();
    }
  }

  private static Telemetry reading(String device, long ts) {
    return new Telemetry(device, ts, null, new HashMap<>(Map.of("temperature", 20.0)));
  }

  private static KeyedBroadcastOperatorTestHarness<String, Telemetry, DeviceUpdate, Signal>
      harness() throws Exception {
    var harness =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new OfflineDetector(Duration.ofSeconds(10), 3, AlertSeverity.WARNING),
                List.of(DeviceRegistry.STATE)),
            Telemetry::getDeviceId,
            Types.STRING,
            1,
            1,
            0);
    harness.setup();
    harness.open();
    return harness;
  }
}
