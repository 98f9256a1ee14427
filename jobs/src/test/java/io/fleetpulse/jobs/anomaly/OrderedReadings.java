package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.testing.TestSources;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.Telemetry;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Test readings as the detectors get them in the job: keyed by device, behind the reading order.
 */
final class OrderedReadings {

  private OrderedReadings() {}

  static KeyedStream<Telemetry, String> of(
      StreamExecutionEnvironment env, List<Telemetry> readings, long boundMs) {
    // A registry of another device: the readings keep the types they carry.
    var registry =
        env.fromSource(
                TestSources.of(
                    List.of(
                        new DeviceUpdate(
                            "someone-else",
                            new Device(
                                "someone-else",
                                "other",
                                "site",
                                "1.0",
                                60,
                                null,
                                DeviceStatus.ACTIVE))),
                    TypeInformation.of(DeviceUpdate.class)),
                WatermarkStrategy.noWatermarks(),
                "registry")
            .broadcast(DeviceRegistry.STATE);
    return DataStreamUtils.reinterpretAsKeyedStream(
        env.fromSource(
                TestSources.of(readings, ModelTypes.TELEMETRY),
                WatermarkStrategy.noWatermarks(),
                "readings")
            .keyBy(Telemetry::getDeviceId, Types.STRING)
            .connect(registry)
            .process(new ReadingOrder(boundMs), ModelTypes.TELEMETRY),
        Telemetry::getDeviceId,
        Types.STRING);
  }
}
