package io.fleetpulse.connectors.influxdb.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;

/** Processing time that moves only when the test says, firing due timers on the test's thread. */
final class ManualTime implements ProcessingTimeService {

  private record Timer(long at, ProcessingTimeCallback callback) {}

  private final List<Timer> timers = new ArrayList<>();
  private long now;

  @Override
  public long getCurrentProcessingTime() {
    return now;
  }

  @Override
  public ScheduledFuture<?> registerTimer(long at, ProcessingTimeCallback callback) {
    timers.add(new Timer(at, callback));
    return null;
  }

  /** Moves time forward by {@code millis} and fires the timers that became due. */
  void advance(long millis) throws Exception {
    now += millis;
    List<Timer> due = new ArrayList<>();
    timers.removeIf(t -> t.at() <= now && due.add(t));
    for (Timer timer : due) {
      timer.callback().onProcessingTime(now);
    }
  }

  /** Timers not fired yet. */
  int pendingTimers() {
    return timers.size();
  }
}
