package io.fleetpulse.jobs.enrich;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Device;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/** The broadcast state that holds the device registry, keyed by device id. */
public final class DeviceRegistry {

  /** Descriptor of the registry's broadcast state. */
  public static final MapStateDescriptor<String, Device> STATE =
      new MapStateDescriptor<>("device-registry", Types.STRING, ModelTypes.DEVICE);

  /** The status tag of telemetry from a device the registry does not know. */
  public static final String UNREGISTERED = "unregistered";

  private DeviceRegistry() {}
}
