package io.fleetpulse.jobs.registry;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for the device registry stream: none, and the stream permanently marked idle.
 *
 * <p>The registry is state, not event-time data. An operator takes the smallest watermark of its
 * active inputs: a registry without watermarks would hold the telemetry windows back forever, and
 * one at "end of time" would jump them forward whenever the telemetry goes idle, making all later
 * telemetry late. An idle input is left out of the minimum, so the telemetry alone drives time.
 */
public final class RegistryWatermarks implements WatermarkGenerator<DeviceUpdate> {

  /** The strategy for the registry source. */
  public static WatermarkStrategy<DeviceUpdate> strategy() {
    return WatermarkStrategy.forGenerator(ctx -> new RegistryWatermarks());
  }

  @Override
  public void onEvent(DeviceUpdate event, long eventTimestamp, WatermarkOutput output) {}

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    output.markIdle();
  }
}
