package io.fleetpulse.jobs.enrich;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
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

  /**
   * Tags {@code telemetry} with its registry entry {@code device} (type, site, firmware, status;
   * null: {@link #UNREGISTERED}) and returns null, or returns why it is refused: its device is
   * recalled or disabled.
   */
  public static RejectReason tag(Telemetry telemetry, Device device) {
    if (device == null) {
      telemetry.setStatus(UNREGISTERED);
      return null;
    }
    DeviceStatus status = device.getStatus() == null ? DeviceStatus.ACTIVE : device.getStatus();
    if (status == DeviceStatus.RECALLED) {
      return RejectReason.DEVICE_RECALLED;
    }
    if (status == DeviceStatus.DISABLED) {
      return RejectReason.DEVICE_DISABLED;
    }
    telemetry.setType(device.getType());
    telemetry.setSite(device.getSite());
    telemetry.setFirmware(device.getFirmware());
    telemetry.setStatus(status.name());
    return null;
  }
}
