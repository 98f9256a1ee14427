package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.enrich.Deduplicator;
import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.enrich.RegistryEndOffsets;
import io.fleetpulse.jobs.enrich.RegistryHold;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The dedupe and registry steps of {@link DeviceTelemetryFunction}, seen on its enriched output.
 */
class DeviceTelemetryDedupeEnrichTest {

  private static final long TS = 1_764_331_200_000L;

  @Test
  void theSameSeqWithTheSameTsIsDropped() throws Exception {
    try (var harness = harness()) {
      harness.processElement(telemetry("d", TS, 7L, 1.5), TS);
      harness.processElement(telemetry("d", TS, 7L, 1.5), TS);
      harness.processElement(telemetry("d", TS + 9, 8L, 2.5), TS + 9);

      assertThat(enriched(harness)).extracting(Telemetry::getSeq).containsExactly(7L, 8L);
    }
  }

  @Test
  void aRepeatArrivingAfterNewerMessagesIsStillDropped() throws Exception {
    try (var harness = harness()) {
      for (long seq = 1; seq <= 5; seq++) {
        harness.processElement(telemetry("d", TS + seq * 1_000, seq, 1.5), TS);
      }
      // Older than the device's newest message: the ring is searched, not skipped.
      harness.processElement(telemetry("d", TS + 2_000, 2L, 1.5), TS);
      harness.processElement(telemetry("d", TS + 5_000, 5L, 1.5), TS);
      // Older too, but never seen: kept.
      harness.processElement(telemetry("d", TS + 2_500, 9L, 1.5), TS);

      assertThat(enriched(harness))
          .extracting(Telemetry::getSeq)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 9L);
    }
  }

  @Test
  void aSeqThatRestartsAfterARebootIsANewEpochAndLosesNothing() throws Exception {
    try (var harness = harness()) {
      for (long seq = 1; seq <= 5; seq++) {
        harness.processElement(telemetry("d", TS + seq * 1_000, seq, 1.5), TS);
      }
      for (long seq = 1; seq <= 5; seq++) {
        harness.processElement(telemetry("d", TS + 60_000 + seq * 1_000, seq, 2.5), TS);
      }

      assertThat(enriched(harness)).hasSize(10);
    }
  }

  @Test
  void theHorizonIsTheDevicesEventTimeNotProcessingTime() throws Exception {
    try (var harness = harness()) {
      harness.setProcessingTime(0);
      harness.processElement(telemetry("d", TS, 7L, 1.5), TS);
      harness.processElement(telemetry("d", TS + Duration.ofMinutes(11).toMillis(), 8L, 1.5), TS);
      // Milliseconds of processing time later, but 11 minutes of the device's time.
      harness.processElement(telemetry("d", TS, 7L, 1.5), TS);
      harness.processElement(telemetry("d", TS + Duration.ofMinutes(11).toMillis(), 8L, 1.5), TS);

      assertThat(enriched(harness)).extracting(Telemetry::getSeq).containsExactly(7L, 8L, 7L);
      // Only the window's idle safeguard: no timer for the dedupe horizon or a hold.
      assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }
  }

  @Test
  void metricNamesWithTheSameStringHashCodeHaveDifferentFingerprints() throws Exception {
    try (var harness = harness()) {
      assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
      harness.processElement(new Telemetry("d", TS, null, Map.of("Aa", 1.0)), TS);
      harness.processElement(new Telemetry("d", TS, null, Map.of("BB", 1.0)), TS);

      assertThat(enriched(harness)).hasSize(2);
    }
  }

  @Test
  void theSameSequenceNumberFromAnotherDeviceIsKept() throws Exception {
    try (var harness = harness()) {
      harness.processElement(telemetry("a", TS, 7L, 1.5), TS);
      harness.processElement(telemetry("b", TS, 7L, 1.5), TS);

      assertThat(enriched(harness)).hasSize(2);
    }
  }

  @Test
  void withoutSequenceNumbersIdenticalContentIsDroppedAndDifferentContentKept() throws Exception {
    try (var harness = harness()) {
      harness.processElement(telemetry("d", TS, null, 1.5), TS);
      harness.processElement(telemetry("d", TS, null, 1.5), TS);
      harness.processElement(telemetry("d", TS, null, 2.5), TS);

      assertThat(enriched(harness))
          .extracting(t -> t.getMetrics().get("temperature"))
          .containsExactly(1.5, 2.5);
    }
  }

  @Test
  void aRegisteredDeviceIsTaggedWithItsRegistryEntry() throws Exception {
    try (var harness = harness()) {
      harness.processBroadcastElement(update("d", "plant-1", DeviceStatus.ACTIVE), TS);
      harness.processElement(telemetry("d", TS, 1L, 1.5), TS);

      Telemetry out = enriched(harness).get(0);
      assertThat(out.getSite()).isEqualTo("plant-1");
      assertThat(out.getType()).isEqualTo("thermometer");
      assertThat(out.getFirmware()).isEqualTo("1.2.0");
      assertThat(out.getStatus()).isEqualTo("ACTIVE");
    }
  }

  @Test
  void anUnknownDeviceIsKeptAndTaggedUnregistered() throws Exception {
    try (var harness = harness()) {
      harness.processElement(telemetry("stranger", TS, 1L, 1.5), TS);

      assertThat(enriched(harness))
          .extracting(Telemetry::getStatus)
          .containsExactly(DeviceRegistry.UNREGISTERED);
    }
  }

  @Test
  void aRecalledDevicesTelemetryIsRefusedWithItsReason() throws Exception {
    try (var harness = harness()) {
      harness.processBroadcastElement(update("r", "plant-1", DeviceStatus.RECALLED), TS);
      harness.processElement(telemetry("r", TS, 1L, 1.5), TS);

      assertThat(enriched(harness)).isEmpty();
      assertThat(harness.getSideOutput(DeviceTelemetryFunction.REFUSED))
          .extracting(r -> r.getValue().getReason())
          .containsExactly("device_recalled");
    }
  }

  @Test
  void aRegistryUpdateRetagsLaterTelemetry() throws Exception {
    try (var harness = harness()) {
      harness.processBroadcastElement(update("d", "plant-1", DeviceStatus.ACTIVE), TS);
      harness.processElement(telemetry("d", TS, 1L, 1.5), TS);
      harness.processBroadcastElement(update("d", "plant-2", DeviceStatus.ACTIVE), TS);
      harness.processElement(telemetry("d", TS + 1, 2L, 1.5), TS + 1);

      assertThat(enriched(harness))
          .extracting(Telemetry::getSite)
          .containsExactly("plant-1", "plant-2");
    }
  }

  @Test
  void aRegistryChangeAfterADevicesRecordsAppliesToItsNextRecord() throws Exception {
    try (var harness = harness()) {
      harness.processBroadcastElement(update("d", "plant-1", DeviceStatus.ACTIVE), TS);
      harness.processElement(telemetry("d", TS, 1L, 1.5), TS);
      harness.processElement(telemetry("d", TS + 1, 2L, 1.5), TS);
      harness.processBroadcastElement(update("d", "plant-1", DeviceStatus.RECALLED), TS);
      harness.processElement(telemetry("d", TS + 2, 3L, 1.5), TS);
      harness.processBroadcastElement(new DeviceUpdate("d", null), TS);
      harness.processElement(telemetry("d", TS + 3, 4L, 1.5), TS);

      assertThat(enriched(harness))
          .extracting(Telemetry::getSeq, Telemetry::getStatus)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, "ACTIVE"),
              org.assertj.core.groups.Tuple.tuple(2L, "ACTIVE"),
              org.assertj.core.groups.Tuple.tuple(4L, DeviceRegistry.UNREGISTERED));
      assertThat(harness.getSideOutput(DeviceTelemetryFunction.REFUSED))
          .extracting(r -> r.getValue().getReason())
          .containsExactly("device_recalled");
    }
  }

  @Test
  void aDeletedDeviceBecomesUnregistered() throws Exception {
    try (var harness = harness()) {
      harness.processBroadcastElement(update("d", "plant-1", DeviceStatus.ACTIVE), TS);
      harness.processBroadcastElement(new DeviceUpdate("d", null), TS);
      harness.processElement(telemetry("d", TS, 1L, 1.5), TS);

      assertThat(enriched(harness))
          .extracting(Telemetry::getStatus)
          .containsExactly(DeviceRegistry.UNREGISTERED);
    }
  }

  // --- the registry hold of a fresh start ------------------------------------------------------

  @Test
  void aFreshStartHoldsTelemetryUntilTheRegistryIsReadToItsEndThenReleasesItInOrder()
      throws Exception {
    try (var harness = holding(new FixedEnd(Map.of(0, 3L, 1, 1L)))) {
      harness.setProcessingTime(1_000);
      harness.processElement(telemetry("d", TS, 1L, 1.0), TS);
      harness.processElement(telemetry("d", TS + 1, 2L, 2.0), TS);
      harness.processBroadcastElement(update("d", "plant-1", DeviceStatus.ACTIVE).at(0, 0), TS);
      harness.processBroadcastElement(update("x", "plant-1", DeviceStatus.ACTIVE).at(1, 0), TS);
      harness.processBroadcastElement(update("y", "plant-1", DeviceStatus.ACTIVE).at(0, 1), TS);
      assertThat(enriched(harness)).isEmpty();

      harness.processBroadcastElement(update("z", "plant-1", DeviceStatus.ACTIVE).at(0, 2), TS);
      harness.processElement(telemetry("d", TS + 2, 3L, 3.0), TS);

      assertThat(enriched(harness))
          .extracting(Telemetry::getSeq, Telemetry::getStatus, Telemetry::getSite)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, "ACTIVE", "plant-1"),
              org.assertj.core.groups.Tuple.tuple(2L, "ACTIVE", "plant-1"),
              org.assertj.core.groups.Tuple.tuple(3L, "ACTIVE", "plant-1"));
    }
  }

  @Test
  void aHeldDeviceThatSendsNothingMoreIsReleasedAtTheHoldsTimeBoundTaggedFromTheRegistry()
      throws Exception {
    try (var harness = holding(new FixedEnd(Map.of(0, 1L)))) {
      harness.setProcessingTime(1_000);
      harness.processElement(telemetry("d", TS, 1L, 1.0), TS);
      harness.processBroadcastElement(update("d", "plant-1", DeviceStatus.ACTIVE).at(0, 0), TS);

      harness.setProcessingTime(1_000 + Duration.ofSeconds(30).toMillis());

      assertThat(enriched(harness)).extracting(Telemetry::getStatus).containsExactly("ACTIVE");
    }
  }

  @Test
  void theHoldEndsAfterItsTimeoutAndUnknownDevicesAreThenUnregistered() throws Exception {
    try (var harness = holding(new FixedEnd(Map.of(0, 100L)))) {
      harness.setProcessingTime(1_000);
      harness.processElement(telemetry("d", TS, 1L, 1.0), TS);
      harness.processElement(telemetry("e", TS, 1L, 1.0), TS);
      assertThat(enriched(harness)).isEmpty();

      harness.setProcessingTime(1_000 + Duration.ofSeconds(30).toMillis());

      assertThat(enriched(harness))
          .extracting(Telemetry::getDeviceId, Telemetry::getStatus)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("d", DeviceRegistry.UNREGISTERED),
              org.assertj.core.groups.Tuple.tuple("e", DeviceRegistry.UNREGISTERED));
      harness.processElement(telemetry("d", TS + 1, 2L, 1.0), TS);
      assertThat(enriched(harness)).hasSize(3);
    }
  }

  @Test
  void anEmptyRegistryHoldsNothing() throws Exception {
    try (var harness = holding(new FixedEnd(Map.of()))) {
      harness.processElement(telemetry("d", TS, 1L, 1.0), TS);

      assertThat(enriched(harness)).hasSize(1);
      // Only the window's idle safeguard: no timer for the dedupe horizon or a hold.
      assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }
  }

  /** A registry that ended at fixed offsets. */
  private record FixedEnd(Map<Integer, Long> ends) implements RegistryEndOffsets {
    @Override
    public Map<Integer, Long> endOffsets() {
      return ends;
    }
  }

  private static KeyedBroadcastOperatorTestHarness<
          String, Telemetry, DeviceUpdate, TelemetryAggregate>
      holding(RegistryEndOffsets end) throws Exception {
    return harness(new RegistryHold(end, Duration.ofSeconds(30)));
  }

  private static KeyedBroadcastOperatorTestHarness<
          String, Telemetry, DeviceUpdate, TelemetryAggregate>
      harness() throws Exception {
    return harness(new RegistryHold(null, Duration.ZERO));
  }

  private static KeyedBroadcastOperatorTestHarness<
          String, Telemetry, DeviceUpdate, TelemetryAggregate>
      harness(RegistryHold hold) throws Exception {
    DeviceTelemetryFunction function =
        new DeviceTelemetryFunction(
            new Deduplicator(Duration.ofMinutes(10)),
            new DeviceWindows(
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                Duration.ZERO,
                Duration.ofMinutes(2),
                100,
                "iot.telemetry.raw"),
            hold,
            "iot.telemetry.raw",
            true);
    var harness =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(function, List.of(DeviceRegistry.STATE)),
            Telemetry::getDeviceId,
            Types.STRING,
            1,
            1,
            0);
    harness.setup(
        TypeInformation.of(TelemetryAggregate.class).createSerializer(new SerializerConfigImpl()));
    harness.open();
    return harness;
  }

  /** The enriched telemetry the operator passed on, in order. */
  private static List<Telemetry> enriched(
      KeyedBroadcastOperatorTestHarness<String, Telemetry, DeviceUpdate, TelemetryAggregate>
          harness) {
    var records = harness.getSideOutput(DeviceTelemetryFunction.ENRICHED);
    return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
  }

  private static Telemetry telemetry(String device, long ts, Long seq, double temperature) {
    Map<String, Double> metrics = new HashMap<>();
    metrics.put("temperature", temperature);
    return new Telemetry(device, ts, seq, metrics);
  }

  private static DeviceUpdate update(String id, String site, DeviceStatus status) {
    Device device = new Device();
    device.setDeviceId(id);
    device.setType("thermometer");
    device.setSite(site);
    device.setFirmware("1.2.0");
    device.setStatus(status);
    return new DeviceUpdate(id, device);
  }
}
