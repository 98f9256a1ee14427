package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.enrich.Deduplicator;
import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.enrich.RegistryHold;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The window step of {@link DeviceTelemetryFunction}: per-device event time, closing, idleness. */
class DeviceTelemetryWindowsTest {

  private static final long MINUTE = 60_000L;
  private static final long T0 = 1_764_331_200_000L; // a minute boundary
  private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

  @Test
  void aWindowClosesOnItsDevicesOwnProgressWithoutAnyFlinkWatermark() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("d", T0 + 1_000, 20.0, 80.0));
      harness.processElement(record("d", T0 + 3_000, 24.0, 79.0));
      harness.processElement(record("d", T0 + 2_000, 22.0, 78.0));
      // The device's watermark reaches the window's last millisecond: 5 s out of orderness.
      harness.processElement(record("d", T0 + MINUTE + 4_999, 1.0, 1.0));

      List<TelemetryAggregate> out = sorted(harness.extractOutputValues());
      assertThat(out).hasSize(2);
      TelemetryAggregate battery = out.get(0);
      assertThat(battery.getCount()).isEqualTo(3);
      assertThat(battery.getMin()).isEqualTo(78.0);
      assertThat(battery.getMax()).isEqualTo(80.0);
      assertThat(battery.getAvg()).isEqualTo(79.0);
      assertThat(battery.getLast()).isEqualTo(79.0);
      assertThat(out.get(1).getWindowStart()).isEqualTo(T0);
      assertThat(out.get(1).getWindowEnd()).isEqualTo(T0 + MINUTE);
    }
  }

  @Test
  void aWindowStaysOpenUntilTheDevicesWatermarkReachesItsEnd() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("d", T0 + 1_000, 20.0, 80.0));
      harness.processElement(record("d", T0 + MINUTE + 4_998, 1.0, 1.0));

      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void oneDevicesFastClockClosesNothingOfAnother() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("slow", T0 + 1_000, 1.0, 1.0));
      harness.processElement(record("fast", T0 + 10 * MINUTE, 2.0, 2.0));
      harness.processElement(record("slow", T0 + 2_000, 3.0, 3.0));

      assertThat(harness.extractOutputValues()).isEmpty();
      assertThat(harness.getSideOutput(DeviceTelemetryFunction.LATE)).isNull();
    }
  }

  @Test
  void aRecordForAClosedWindowIsADeadLetterLate() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("d", T0 + 1_000, 1.0, 1.0));
      harness.processElement(record("d", T0 + MINUTE + 5_000, 1.0, 1.0));
      harness.processElement(record("d", T0 + 2_000, 9.0, 9.0));

      assertThat(harness.getSideOutput(DeviceTelemetryFunction.LATE))
          .extracting(r -> r.getValue().getReason())
          .containsExactly("late");
      assertThat(harness.extractOutputValues())
          .extracting(TelemetryAggregate::getCount)
          .containsOnly(1L);
    }
  }

  @Test
  void aRecordForAnEmptyWindowBehindTheDevicesWatermarkIsLate() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("d", T0 + 5 * MINUTE, 1.0, 1.0));
      harness.processElement(record("d", T0 + MINUTE, 9.0, 9.0));

      assertThat(harness.getSideOutput(DeviceTelemetryFunction.LATE)).hasSize(1);
      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void allowedLatenessDelaysTheOneEmissionAndTakesTheRecordsWithinIt() throws Exception {
    try (var harness = harness(Duration.ofSeconds(10))) {
      harness.processElement(record("d", T0 + 1_000, 20.0, 80.0));
      harness.processElement(record("d", T0 + MINUTE + 10_000, 1.0, 1.0));
      harness.processElement(record("d", T0 + 2_000, 30.0, 70.0));
      harness.processElement(record("d", T0 + MINUTE + 15_000, 1.0, 1.0));

      assertThat(harness.extractOutputValues())
          .filteredOn(a -> a.getWindowStart() == T0)
          .extracting(TelemetryAggregate::getCount)
          .containsOnly(2L)
          .hasSize(2);
      assertThat(harness.getSideOutput(DeviceTelemetryFunction.LATE)).isNull();
    }
  }

  @Test
  void aSilentDevicesWindowsCloseAfterTheIdleTimeout() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.setProcessingTime(0);
      harness.processElement(record("d", T0 + 1_000, 1.0, 1.0));
      harness.setProcessingTime(Duration.ofMinutes(2).toMillis() - 1);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.setProcessingTime(Duration.ofMinutes(2).toMillis());

      assertThat(harness.extractOutputValues())
          .extracting(TelemetryAggregate::getWindowStart)
          .containsOnly(T0);
      assertThat(harness.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void aRecordResetsTheIdleTimeoutWithoutASecondTimer() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.setProcessingTime(0);
      harness.processElement(record("d", T0 + 1_000, 1.0, 1.0));
      harness.setProcessingTime(60_000);
      harness.processElement(record("d", T0 + 2_000, 1.0, 1.0));
      assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

      harness.setProcessingTime(120_000);
      assertThat(harness.extractOutputValues()).isEmpty();
      harness.setProcessingTime(180_000);
      assertThat(harness.extractOutputValues())
          .extracting(TelemetryAggregate::getCount)
          .containsOnly(2L);
    }
  }

  @Test
  void theFinalWatermarkClosesEveryOpenWindow() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("d", T0 + 1_000, 1.0, 1.0));

      finalWatermark(harness);

      assertThat(harness.extractOutputValues()).hasSize(2);
    }
  }

  @Test
  void aClosedWindowStaysClosedAfterARestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("d", T0 + 1_000, 1.0, 1.0));
      harness.processElement(record("d", T0 + MINUTE + 5_000, 1.0, 1.0));
      snapshot = harness.snapshot(1, 1);
    }
    try (var restored = harness(Duration.ZERO, snapshot)) {
      restored.processElement(record("d", T0 + 2_000, 9.0, 9.0));

      assertThat(restored.getSideOutput(DeviceTelemetryFunction.LATE)).hasSize(1);
      assertThat(restored.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void aRestoreAfterAnOutageLongerThanTheIdleTimeoutLeavesTheWindowsOpenForTheBacklog()
      throws Exception {
    OperatorSubtaskState snapshot;
    try (var harness = harness(Duration.ZERO)) {
      harness.setProcessingTime(0);
      harness.processElement(record("d", T0 + 1_000, 1.0, 1.0));
      snapshot = harness.snapshot(1, 1);
    }
    try (var restored = harness(Duration.ZERO, snapshot)) {
      restored.setProcessingTime(10 * MINUTE);
      restored.processElement(record("d", T0 + 2_000, 1.0, 1.0));
      assertThat(restored.extractOutputValues()).isEmpty();

      restored.setProcessingTime(12 * MINUTE);

      assertThat(restored.getSideOutput(DeviceTelemetryFunction.LATE)).isNull();
      assertThat(restored.extractOutputValues())
          .extracting(TelemetryAggregate::getCount)
          .containsOnly(2L);
    }
  }

  @Test
  void aRecordWithMoreDistinctMetricsThanTheCapIsRefused() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(record("d", T0 + 1_000, 1.0, 1.0));
      harness.processElement(
          new StreamRecord<>(new Telemetry("d", T0 + 2_000, null, Map.of("a", 1.0, "b", 2.0))));
      harness.processElement(
          new StreamRecord<>(new Telemetry("d", T0 + 3_000, null, Map.of("a", 1.0))));
      finalWatermark(harness);

      assertThat(harness.getSideOutput(DeviceTelemetryFunction.LATE))
          .extracting(r -> r.getValue().getReason())
          .containsExactly("too_many_metrics");
      assertThat(harness.extractOutputValues())
          .extracting(TelemetryAggregate::getMetric)
          .containsExactlyInAnyOrder("temperature", "battery", "a");
    }
  }

  @Test
  void twoHugeReadingsAverageToAFiniteValue() throws Exception {
    try (var harness = harness(Duration.ZERO)) {
      harness.processElement(
          new StreamRecord<>(new Telemetry("d", T0 + 1_000, null, Map.of("x", 1e308))));
      harness.processElement(
          new StreamRecord<>(new Telemetry("d", T0 + 2_000, null, Map.of("x", 1e308))));
      finalWatermark(harness);

      assertThat(harness.extractOutputValues())
          .singleElement()
          .satisfies(a -> assertThat(a.getAvg()).isEqualTo(1e308));
    }
  }

  private static KeyedBroadcastOperatorTestHarness<
          String, Telemetry, DeviceUpdate, TelemetryAggregate>
      harness(Duration allowedLateness) throws Exception {
    return harness(allowedLateness, null);
  }

  private static KeyedBroadcastOperatorTestHarness<
          String, Telemetry, DeviceUpdate, TelemetryAggregate>
      harness(Duration allowedLateness, OperatorSubtaskState restoreFrom) throws Exception {
    var harness =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new DeviceTelemetryFunction(
                    new Deduplicator(Duration.ofMinutes(10)),
                    new DeviceWindows(
                        Duration.ofMinutes(1),
                        OUT_OF_ORDERNESS,
                        allowedLateness,
                        Duration.ofMinutes(2),
                        3,
                        "raw"),
                    new RegistryHold(null, Duration.ZERO),
                    "raw",
                    false),
                List.of(DeviceRegistry.STATE)),
            Telemetry::getDeviceId,
            Types.STRING,
            1,
            1,
            0);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  /** The final watermark on both inputs (the operator's watermark is the smaller). */
  private static void finalWatermark(
      KeyedBroadcastOperatorTestHarness<String, Telemetry, DeviceUpdate, TelemetryAggregate>
          harness)
      throws Exception {
    harness.processBroadcastWatermark(Long.MAX_VALUE);
    harness.processWatermark(Long.MAX_VALUE);
  }

  private static StreamRecord<Telemetry> record(
      String device, long ts, double temperature, double battery) {
    return new StreamRecord<>(
        new Telemetry(device, ts, null, Map.of("temperature", temperature, "battery", battery)),
        ts);
  }

  private static List<TelemetryAggregate> sorted(List<TelemetryAggregate> aggregates) {
    return aggregates.stream().sorted(Comparator.comparing(TelemetryAggregate::getMetric)).toList();
  }
}
