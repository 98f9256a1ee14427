package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Kafka record keys: the device id, UTF-8. Named classes rather than serializable method
 * references, for the reason {@link io.fleetpulse.jobs.kafka.JsonValues} gives.
 */
final class DeviceKeys {

  private DeviceKeys() {}

  /** The key of a telemetry record. */
  static final class OfTelemetry implements SerializationSchema<Telemetry> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(Telemetry element) {
      return Utf8.bytes(element.getDeviceId());
    }
  }

  /** The key of a window aggregate. */
  static final class OfAggregate implements SerializationSchema<TelemetryAggregate> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(TelemetryAggregate element) {
      return Utf8.bytes(element.getDeviceId());
    }
  }
}
