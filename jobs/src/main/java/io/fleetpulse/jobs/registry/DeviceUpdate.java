package io.fleetpulse.jobs.registry;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Device;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** One record of the device registry topic: a device, or its deletion (a tombstone). */
@TypeInfo(DeviceUpdate.TypeFactory.class)
public class DeviceUpdate {

  private String deviceId;
  private Device device;
  private int partition = -1;
  private long offset = -1;

  public DeviceUpdate() {}

  public DeviceUpdate(String deviceId, Device device) {
    this.deviceId = deviceId;
    this.device = device;
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  /** The device, or null when it was deleted. */
  public Device getDevice() {
    return device;
  }

  public void setDevice(Device device) {
    this.device = device;
  }

  /** The registry topic partition this update was read from, or -1. */
  public int getPartition() {
    return partition;
  }

  public void setPartition(int partition) {
    this.partition = partition;
  }

  /** The offset this update was read from, or -1: how far the registry has been read. */
  public long getOffset() {
    return offset;
  }

  public void setOffset(long offset) {
    this.offset = offset;
  }

  /** This update, marked as read from {@code partition} at {@code offset}. */
  public DeviceUpdate at(int partition, long offset) {
    this.partition = partition;
    this.offset = offset;
    return this;
  }

  public boolean isDeletion() {
    return device == null;
  }

  @Override
  public String toString() {
    return "DeviceUpdate{" + deviceId + (device == null ? " deleted" : " " + device) + '}';
  }

  /** A POJO of a string and an explicitly typed {@link Device}. */
  public static final class TypeFactory extends TypeInfoFactory<DeviceUpdate> {
    @Override
    public TypeInformation<DeviceUpdate> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return Types.POJO(
          DeviceUpdate.class,
          Map.of(
              "deviceId",
              Types.STRING,
              "device",
              ModelTypes.DEVICE,
              "partition",
              Types.INT,
              "offset",
              Types.LONG));
    }
  }
}
