package io.fleetpulse.jobs.telemetry;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * One device's event-time state, kept in one keyed state value: its open windows (by start), its
 * newest event time, what is closed, and its idle safeguard timer.
 *
 * <p>Because "closed up to" is keyed state, it is in every checkpoint and savepoint: a restore or a
 * replay continues exactly where the device was and never re-opens a closed window.
 */
@TypeInfo(DeviceTime.TypeFactory.class)
public class DeviceTime {

  /** Open windows by their start; a device has one or two open at a time. */
  private Map<Long, DeviceWindowAccumulator> windows = new HashMap<>();

  /** The newest event time this device has sent. */
  private long maxTs = Long.MIN_VALUE;

  /** Every window ending at or before this is closed (emitted); its records are late. */
  private long closedUpTo = Long.MIN_VALUE;

  /** Processing time of the device's latest record, for the idle safeguard. */
  private long lastSeen;

  /** When the idle safeguard timer fires, or {@link Long#MIN_VALUE} when none is set. */
  private long idleTimerAt = Long.MIN_VALUE;

  /** The distinct metric names the device has sent, up to the configured cap. */
  private List<String> metricNames = new ArrayList<>();

  public DeviceTime() {}

  public Map<Long, DeviceWindowAccumulator> getWindows() {
    return windows;
  }

  public void setWindows(Map<Long, DeviceWindowAccumulator> windows) {
    this.windows = windows;
  }

  public long getMaxTs() {
    return maxTs;
  }

  public void setMaxTs(long maxTs) {
    this.maxTs = maxTs;
  }

  public long getClosedUpTo() {
    return closedUpTo;
  }

  public void setClosedUpTo(long closedUpTo) {
    this.closedUpTo = closedUpTo;
  }

  public long getLastSeen() {
    return lastSeen;
  }

  public void setLastSeen(long lastSeen) {
    this.lastSeen = lastSeen;
  }

  public long getIdleTimerAt() {
    return idleTimerAt;
  }

  public void setIdleTimerAt(long idleTimerAt) {
    this.idleTimerAt = idleTimerAt;
  }

  public List<String> getMetricNames() {
    return metricNames;
  }

  public void setMetricNames(List<String> metricNames) {
    this.metricNames = metricNames;
  }

  /** Explicit POJO type: reflection would give the map of accumulators to Kryo. */
  public static final class TypeFactory extends TypeInfoFactory<DeviceTime> {
    @Override
    public TypeInformation<DeviceTime> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return Types.POJO(
          DeviceTime.class,
          Map.of(
              "windows",
              Types.MAP(Types.LONG, TypeInformation.of(DeviceWindowAccumulator.class)),
              "maxTs",
              Types.LONG,
              "closedUpTo",
              Types.LONG,
              "lastSeen",
              Types.LONG,
              "idleTimerAt",
              Types.LONG,
              "metricNames",
              Types.LIST(Types.STRING)));
    }
  }
}
