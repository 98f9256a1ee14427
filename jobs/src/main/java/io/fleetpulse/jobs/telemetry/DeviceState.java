package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.enrich.Deduplicator;
import io.fleetpulse.jobs.enrich.RecentMessages;
import io.fleetpulse.model.Device;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Everything {@link DeviceTelemetryFunction} keeps of one device, in one keyed state value: its
 * dedupe window ({@link RecentMessages}) and its event time and windows ({@link DeviceTime}). One
 * state read and one write per record, whatever the steps.
 *
 * <p>On the heap state backend the value object lives on between records, so it also caches the
 * device's registry entry until the registry changes (a lookup in a large broadcast map per record
 * was 5 % of the job in bench/); that cache is not part of the state type: a restore, a copy or
 * RocksDB starts without it and looks the entry up again.
 */
@TypeInfo(DeviceState.TypeFactory.class)
public class DeviceState {

  private RecentMessages recent;
  private DeviceTime time;

  // Not state (transient, and not in the type below: never serialized): the registry entry last
  // looked up for this device and the registry version it was looked up at, while the value stays
  // on the heap.
  private transient Device entry;
  private transient long entryVersion = -1;

  public DeviceState() {}

  /** The state of a device seen for the first time. */
  static DeviceState fresh() {
    DeviceState state = new DeviceState();
    state.recent = Deduplicator.fresh();
    state.time = new DeviceTime();
    return state;
  }

  /**
   * Whether {@link #registryEntry} is this device's entry as of registry version {@code version}.
   */
  boolean knowsRegistryEntry(long version) {
    return entryVersion == version;
  }

  /** The registry entry kept by {@link #lookedUp} (null: the device is not in the registry). */
  Device registryEntry() {
    return entry;
  }

  /** Keeps {@code looked}, this device's registry entry at version {@code version}; returns it. */
  Device lookedUp(Device looked, long version) {
    entry = looked;
    entryVersion = version;
    return looked;
  }

  public RecentMessages getRecent() {
    return recent;
  }

  public void setRecent(RecentMessages recent) {
    this.recent = recent;
  }

  public DeviceTime getTime() {
    return time;
  }

  public void setTime(DeviceTime time) {
    this.time = time;
  }

  /** Explicit POJO type of the two parts, each Kryo-free. */
  public static final class TypeFactory extends TypeInfoFactory<DeviceState> {
    @Override
    public TypeInformation<DeviceState> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return Types.POJO(
          DeviceState.class,
          Map.of(
              "recent",
              Types.POJO(RecentMessages.class),
              "time",
              TypeInformation.of(DeviceTime.class)));
    }
  }
}
