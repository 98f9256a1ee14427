package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.enrich.Deduplicator;
import io.fleetpulse.jobs.enrich.RecentMessages;
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
 */
@TypeInfo(DeviceState.TypeFactory.class)
public class DeviceState {

  private RecentMessages recent;
  private DeviceTime time;

  public DeviceState() {}

  /** The state of a device seen for the first time. */
  static DeviceState fresh() {
    DeviceState state = new DeviceState();
    state.recent = Deduplicator.fresh();
    state.time = new DeviceTime();
    return state;
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
