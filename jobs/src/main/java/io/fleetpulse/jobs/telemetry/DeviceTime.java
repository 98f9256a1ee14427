package io.fleetpulse.jobs.telemetry;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
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

  /**
   * Open windows, in the order they opened, and their starts (parallel arrays: a device has one or
   * two open at a time, so a scan beats a map of boxed keys).
   */
  private DeviceWindowAccumulator[] windows = NO_WINDOWS;

  private long[] windowStarts = NO_STARTS;

  private static final DeviceWindowAccumulator[] NO_WINDOWS = {};
  private static final long[] NO_STARTS = {};

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

  /** The open window starting at {@code start}, opened (empty) when there is none. */
  DeviceWindowAccumulator window(long start) {
    long[] starts = windowStarts;
    for (int i = 0; i < starts.length; i++) {
      if (starts[i] == start) {
        return windows[i];
      }
    }
    DeviceWindowAccumulator opened = new DeviceWindowAccumulator();
    windowStarts = Arrays.copyOf(starts, starts.length + 1);
    windowStarts[starts.length] = start;
    windows = Arrays.copyOf(windows, starts.length + 1);
    windows[starts.length] = opened;
    return opened;
  }

  /** How many windows are open. */
  int windowCount() {
    return windows.length;
  }

  /** Receives a window as it is closed. */
  interface ClosedWindow {
    void closed(long start, DeviceWindowAccumulator window);
  }

  /**
   * Removes every open window whose start is at most {@code lastStart}, handing each to {@code
   * closed} in the order of their starts.
   */
  void removeWindowsUpTo(long lastStart, ClosedWindow closed) {
    int n = windows.length;
    if (n == 2 && windowStarts[0] <= lastStart && windowStarts[1] > lastStart) {
      // The usual close, when a device's time moves into its next window: the older of two
      // windows, without the copies for sorting.
      DeviceWindowAccumulator older = windows[0];
      long start = windowStarts[0];
      windowStarts = new long[] {windowStarts[1]};
      windows = new DeviceWindowAccumulator[] {windows[1]};
      closed.closed(start, older);
      return;
    }
    int kept = 0;
    long[] starts = windowStarts.clone();
    DeviceWindowAccumulator[] accs = windows.clone();
    // Insertion sort by start: a device has one or two windows open.
    for (int i = 1; i < n; i++) {
      for (int j = i; j > 0 && starts[j - 1] > starts[j]; j--) {
        long s = starts[j];
        starts[j] = starts[j - 1];
        starts[j - 1] = s;
        DeviceWindowAccumulator a = accs[j];
        accs[j] = accs[j - 1];
        accs[j - 1] = a;
      }
    }
    for (int i = 0; i < n; i++) {
      if (starts[i] <= lastStart) {
        closed.closed(starts[i], accs[i]);
      } else {
        starts[kept] = starts[i];
        accs[kept] = accs[i];
        kept++;
      }
    }
    windowStarts = kept == 0 ? NO_STARTS : Arrays.copyOf(starts, kept);
    windows = kept == 0 ? NO_WINDOWS : Arrays.copyOf(accs, kept);
  }

  public DeviceWindowAccumulator[] getWindows() {
    return windows;
  }

  public void setWindows(DeviceWindowAccumulator[] windows) {
    this.windows = windows;
  }

  public long[] getWindowStarts() {
    return windowStarts;
  }

  public void setWindowStarts(long[] windowStarts) {
    this.windowStarts = windowStarts;
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

  /** Explicit POJO type: reflection would give the accumulators' arrays to Kryo. */
  public static final class TypeFactory extends TypeInfoFactory<DeviceTime> {
    @Override
    public TypeInformation<DeviceTime> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return Types.POJO(
          DeviceTime.class,
          Map.of(
              "windows",
              Types.OBJECT_ARRAY(TypeInformation.of(DeviceWindowAccumulator.class)),
              "windowStarts",
              Types.PRIMITIVE_ARRAY(Types.LONG),
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
