package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.Telemetry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ReadingOrderTest {

  private static final long T = 1_764_331_200_000L;

  @Test
  void readingsOutOfOrderWithinTheBoundComeOutSorted() throws Exception {
    try (var harness = harness(5_000)) {
      for (long offset : new long[] {0, 2_000, 1_000, 4_000, 3_000, 10_000}) {
        harness.processElement(reading(T + offset), T);
      }

      assertThat(harness.extractOutputValues())
          .extracting(Telemetry::getTs)
          .containsExactly(T, T + 1_000, T + 2_000, T + 3_000, T + 4_000);
    }
  }

  @Test
  void aReadingOlderThanWhatWasReleasedIsDropped() throws Exception {
    try (var harness = harness(5_000)) {
      harness.processElement(reading(T + 10_000), T);
      harness.processElement(reading(T + 16_000), T);
      harness.processElement(reading(T + 4_000), T);

      assertThat(harness.extractOutputValues())
          .extracting(Telemetry::getTs)
          .containsExactly(T + 10_000);
    }
  }

  @Test
  void aQuietDevicesReadingsAreReleasedByTheWallClock() throws Exception {
    try (var harness = harness(5_000)) {
      harness.setProcessingTime(0);
      harness.processElement(reading(T + 1_000), T);
      harness.processElement(reading(T), T);
      harness.setProcessingTime(4_999);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.setProcessingTime(6_000);

      assertThat(harness.extractOutputValues())
          .extracting(Telemetry::getTs)
          .containsExactly(T, T + 1_000);
    }
  }

  @Test
  void withoutABoundReadingsPassAtOnceAndTheTypeComesFromTheRegistry() throws Exception {
    try (var harness = harness(0)) {
      Device device = new Device("d", "freezer", "site", "1.0", 60, null, DeviceStatus.ACTIVE);
      harness.processBroadcastElement(new DeviceUpdate("d", device), T);
      harness.processElement(reading(T + 1_000), T);
      harness.processElement(reading(T), T);

      assertThat(harness.extractOutputValues())
          .extracting(Telemetry::getTs, Telemetry::getType)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(T + 1_000, "freezer"));
    }
  }

  private static Telemetry reading(long ts) {
    return new Telemetry("d", ts, null, new HashMap<>(Map.of("temperature", 20.0)));
  }

  private static KeyedBroadcastOperatorTestHarness<String, Telemetry, DeviceUpdate, Telemetry>
      harness(long boundMs) throws Exception {
    var harness =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new ReadingOrder(boundMs), List.of(DeviceRegistry.STATE)),
            Telemetry::getDeviceId,
            Types.STRING,
            1,
            1,
            0);
    harness.setup(
        ModelTypes.TELEMETRY.createSerializer(
            new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
    harness.open();
    return harness;
  }
}
