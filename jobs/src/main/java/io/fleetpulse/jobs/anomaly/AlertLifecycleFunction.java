package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.SignalState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The one alert lifecycle, keyed by device: one state machine per (rule, metric) turns signals and
 * users' actions into alert transitions, each with the episode's deterministic {@code alertId}.
 *
 * <p>Time is the device's: the newest signal time it has seen, advanced by wall-clock time while it
 * is silent (processing-time timers), so that clear-after and flapping decide the same way in a
 * replay as live and the records carry the same timestamps.
 */
public final class AlertLifecycleFunction extends KeyedProcessFunction<String, AlertInput, Alert> {

  private static final char SEPARATOR = '\u001f';
  private static final String DEFAULT_TYPE = "signal";

  private final LifecycleSettings settings;
  private transient MapState<String, AlertEpisode> episodes;
  private transient ValueState<Long> deviceTime;
  private transient ValueState<Long> wallAtDeviceTime;
  private transient ValueState<Long> timer;
  private transient Counter opened;
  private transient Counter resolved;
  private transient Counter updates;
  private transient Counter suppressed;
  private transient Counter actionsIgnored;
  private transient Counter escalated;

  public AlertLifecycleFunction(LifecycleSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    episodes =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "alert-episodes", Types.STRING, TypeInformation.of(AlertEpisode.class)));
    deviceTime =
        getRuntimeContext().getState(new ValueStateDescriptor<>("device-time", Types.LONG));
    wallAtDeviceTime =
        getRuntimeContext().getState(new ValueStateDescriptor<>("device-time-wall", Types.LONG));
    timer = getRuntimeContext().getState(new ValueStateDescriptor<>("lifecycle-timer", Types.LONG));
    var metrics = getRuntimeContext().getMetricGroup();
    opened = metrics.counter("alertsOpened");
    resolved = metrics.counter("alertsResolved");
    updates = metrics.counter("alertUpdates");
    suppressed = metrics.counter("alertTransitionsSuppressed");
    actionsIgnored = metrics.counter("alertActionsIgnored");
    escalated = metrics.counter("alertsEscalated");
  }

  @Override
  public void processElement(AlertInput input, Context ctx, Collector<Alert> out) throws Exception {
    long wall = ctx.timerService().currentProcessingTime();
    if (input.getSignal() != null) {
      Signal signal = input.getSignal();
      Long known = deviceTime.value();
      if (known == null || signal.getTs() > known) {
        deviceTime.update(signal.getTs());
        wallAtDeviceTime.update(wall);
      }
      advance(deviceTime.value(), out);
      onSignal(signal, ctx.getCurrentKey(), out);
    } else {
      onAction(input.getAction(), out);
    }
    schedule(ctx.timerService(), wall);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    timer.clear();
    Long known = deviceTime.value();
    Long wallAt = wallAtDeviceTime.value();
    if (known == null || wallAt == null) {
      return;
    }
    long now = known + Math.max(0, timestamp - wallAt);
    deviceTime.update(now);
    wallAtDeviceTime.update(timestamp);
    advance(now, out);
    schedule(ctx.timerService(), timestamp);
  }

  private void onSignal(Signal signal, String deviceId, Collector<Alert> out) throws Exception {
    String key = key(signal.getRule(), signal.getMetric());
    AlertEpisode episode = episodes.get(key);
    if (signal.getState() == SignalState.CLEAR) {
      if (episode != null && episode.isOngoing() && signal.getTs() >= episode.getFirstTs()) {
        resolve(episode, signal.getTs(), out);
        episodes.put(key, episode);
      }
      return;
    }
    if (episode == null || !episode.isOngoing()) {
      if (episode != null && signal.getTs() < episode.getResolvedTs()) {
        // Older than the end of the last episode: it belongs to what is already closed.
        return;
      }
      boolean reopen =
          episode != null
              && !settings.reopenWithin().isZero()
              && signal.getTs() - episode.getResolvedTs() <= settings.reopenWithin().toMillis();
      if (!reopen) {
        episode = startEpisode(episode, signal, deviceId);
      } else {
        episode.setCount(episode.getCount() + 1);
      }
      episode.setOpenedTs(signal.getTs());
      episode.setEscalationLevel(0);
      episode.setPendingNotification(false);
      take(episode, signal);
      episode.setState(AlertState.OPEN);
      episode.setResolvedTs(0);
      episode.recordOpen(signal.getTs(), settings.flapWindow().toMillis());
      opened.inc();
      if (!episode.isFlapping()
          && settings.flapCount() > 0
          && episode.getOpens().length > settings.flapCount()) {
        episode.setFlapping(true);
        episode.setLastTransitionTs(signal.getTs());
        emit(episode, AlertState.FLAPPING, signal.getTs(), out);
      } else {
        transition(episode, AlertState.OPEN, signal.getTs(), out);
      }
      episodes.put(key, episode);
      return;
    }
    episode.setCount(episode.getCount() + 1);
    AlertSeverity before = episode.getSeverity();
    take(episode, signal);
    boolean escalated = before != null && episode.getSeverity().compareTo(before) > 0;
    boolean due =
        signal.getTs() - episode.getLastEmittedTs() >= settings.updateInterval().toMillis();
    boolean snoozed =
        episode.getSnoozedUntil() != null && signal.getTs() < episode.getSnoozedUntil();
    if (!episode.isFlapping() && (escalated || due)) {
      if (snoozed) {
        episode.setPendingNotification(true);
      } else {
        updates.inc();
        emit(episode, episode.getState(), signal.getTs(), out);
      }
    }
    episodes.put(key, episode);
  }

  private AlertEpisode startEpisode(AlertEpisode previous, Signal signal, String deviceId) {
    AlertEpisode episode = new AlertEpisode();
    episode.setDeviceId(deviceId);
    episode.setRule(signal.getRule());
    episode.setMetric(signal.getMetric());
    episode.setType(signal.getType() == null ? DEFAULT_TYPE : signal.getType());
    episode.setEpisode(previous == null ? 1 : previous.getEpisode() + 1);
    episode.setFirstTs(signal.getTs());
    episode.setCount(1);
    episode.setAlertId(
        Alert.idFor(
            deviceId, signal.getRule(), signal.getMetric(), String.valueOf(signal.getTs())));
    if (previous != null) {
      // Flapping is about the (device, rule, metric), not one episode.
      episode.setOpens(previous.getOpens());
      episode.setFlapping(previous.isFlapping());
      episode.setLastTransitionTs(previous.getLastTransitionTs());
    }
    return episode;
  }

  private void take(AlertEpisode episode, Signal signal) {
    episode.setLastTs(Math.max(episode.getLastTs(), signal.getTs()));
    episode.setValue(signal.getValue());
    if (signal.getMessage() != null) {
      episode.setMessage(signal.getMessage());
    }
    if (signal.getSeverity() != null) {
      episode.setSignalSeverity(signal.getSeverity());
    }
    episode.setSeverity(effectiveSeverity(episode));
    episode.setClearAfterMs(signal.getClearAfterMs());
  }

  private void onAction(AlertAction action, Collector<Alert> out) throws Exception {
    for (Map.Entry<String, AlertEpisode> entry : episodes.entries()) {
      AlertEpisode episode = entry.getValue();
      if (!episode.getAlertId().equals(action.getAlertId())) {
        continue;
      }
      if (!episode.isOngoing()) {
        break;
      }
      switch (action.getAction()) {
        case ACK -> {
          if (episode.getState() != AlertState.OPEN) {
            actionsIgnored.inc();
            return;
          }
          episode.setState(AlertState.ACKNOWLEDGED);
          emit(episode, AlertState.ACKNOWLEDGED, action.getTs(), out);
        }
        case SNOOZE -> {
          episode.setSnoozedUntil(action.getUntil());
          emit(episode, episode.getState(), action.getTs(), out);
        }
        case RESOLVE -> resolve(episode, action.getTs(), out);
      }
      episodes.put(entry.getKey(), episode);
      return;
    }
    actionsIgnored.inc();
  }

  /** Applies what is due by device time {@code now}: clear-after, the end of flapping, cleanup. */
  private void advance(long now, Collector<Alert> out) throws Exception {
    List<String> forget = new ArrayList<>();
    List<Map.Entry<String, AlertEpisode>> changed = new ArrayList<>();
    for (Map.Entry<String, AlertEpisode> entry : episodes.entries()) {
      AlertEpisode episode = entry.getValue();
      boolean change = false;
      if (episode.isOngoing()) {
        Long clearDue =
            episode.getClearAfterMs() == null
                ? null
                : episode.getLastTs() + episode.getClearAfterMs();
        boolean resolving = clearDue != null && now >= clearDue;
        // What was due before the resolution happens first, in device-time order.
        change = escalateAndWake(episode, resolving ? clearDue - 1 : now, out);
        if (resolving) {
          resolve(episode, clearDue, out);
          change = true;
        }
      }
      if (episode.isFlapping()) {
        long stableAt = episode.getLastTransitionTs() + settings.flapWindow().toMillis();
        if (now >= stableAt) {
          episode.setFlapping(false);
          episode.setOpens(new long[0]);
          // One record saying where it settled.
          emit(episode, episode.getState(), stableAt, out);
          change = true;
        }
      }
      if (!episode.isOngoing() && !episode.isFlapping() && now > forgetAt(episode)) {
        forget.add(entry.getKey());
      } else if (change) {
        changed.add(entry);
      }
    }
    for (Map.Entry<String, AlertEpisode> entry : changed) {
      episodes.put(entry.getKey(), entry.getValue());
    }
    for (String key : forget) {
      episodes.remove(key);
    }
  }

  /**
   * Applies the escalation steps and the end of a snooze due up to {@code limit}; true if the
   * episode changed.
   */
  private boolean escalateAndWake(AlertEpisode episode, long limit, Collector<Alert> out) {
    boolean changed = false;
    while (true) {
      long escalateAt = nextEscalation(episode);
      long wakeAt = nextWake(episode);
      long at = Math.min(escalateAt, wakeAt);
      if (at > limit) {
        return changed;
      }
      changed = true;
      if (at == wakeAt) {
        episode.setPendingNotification(false);
        notify(episode, at, out);
        continue;
      }
      AlertSeverity before = episode.getSeverity();
      episode.setEscalationLevel(episode.getEscalationLevel() + 1);
      episode.setSeverity(effectiveSeverity(episode));
      if (episode.getSeverity() == before) {
        continue;
      }
      escalated.inc();
      if (episode.getSnoozedUntil() != null && at < episode.getSnoozedUntil()) {
        episode.setPendingNotification(true);
      } else {
        notify(episode, at, out);
      }
    }
  }

  private void notify(AlertEpisode episode, long ts, Collector<Alert> out) {
    if (episode.isFlapping()) {
      suppressed.inc();
      return;
    }
    emit(episode, episode.getState(), ts, out);
  }

  /** When the next escalation step of an OPEN episode is due (never: Long.MAX_VALUE). */
  private long nextEscalation(AlertEpisode episode) {
    if (episode.getState() != AlertState.OPEN) {
      // ACKNOWLEDGED stops escalation, RESOLVED ends it.
      return Long.MAX_VALUE;
    }
    List<Escalation> steps = settings.escalationsOf(episode.getRule());
    int level = episode.getEscalationLevel();
    return level < steps.size()
        ? episode.getOpenedTs() + steps.get(level).afterMs()
        : Long.MAX_VALUE;
  }

  /** When a snooze that held back a record ends (never: Long.MAX_VALUE). */
  private static long nextWake(AlertEpisode episode) {
    return episode.isOngoing()
            && episode.isPendingNotification()
            && episode.getSnoozedUntil() != null
        ? episode.getSnoozedUntil()
        : Long.MAX_VALUE;
  }

  /** The signals' severity raised by the escalation steps applied so far. */
  private AlertSeverity effectiveSeverity(AlertEpisode episode) {
    AlertSeverity severity = episode.getSignalSeverity();
    List<Escalation> steps = settings.escalationsOf(episode.getRule());
    for (int i = 0; i < episode.getEscalationLevel() && i < steps.size(); i++) {
      AlertSeverity step = steps.get(i).severity();
      if (severity == null || step.compareTo(severity) > 0) {
        severity = step;
      }
    }
    return severity;
  }

  private long forgetAt(AlertEpisode episode) {
    return episode.getResolvedTs()
        + Math.max(settings.reopenWithin().toMillis(), settings.flapWindow().toMillis());
  }

  private void schedule(org.apache.flink.streaming.api.TimerService timers, long wall)
      throws Exception {
    Long now = deviceTime.value();
    if (now == null) {
      return;
    }
    long next = Long.MAX_VALUE;
    for (AlertEpisode episode : episodes.values()) {
      if (episode.isOngoing() && episode.getClearAfterMs() != null) {
        next = Math.min(next, episode.getLastTs() + episode.getClearAfterMs());
      }
      next = Math.min(next, Math.min(nextEscalation(episode), nextWake(episode)));
      if (episode.isFlapping()) {
        next = Math.min(next, episode.getLastTransitionTs() + settings.flapWindow().toMillis());
      }
      if (!episode.isOngoing() && !episode.isFlapping()) {
        next = Math.min(next, forgetAt(episode) + 1);
      }
    }
    Long current = timer.value();
    if (next == Long.MAX_VALUE) {
      if (current != null) {
        timers.deleteProcessingTimeTimer(current);
        timer.clear();
      }
      return;
    }
    long at = wall + Math.max(1, next - now);
    if (current != null && current == at) {
      return;
    }
    if (current != null) {
      timers.deleteProcessingTimeTimer(current);
    }
    timers.registerProcessingTimeTimer(at);
    timer.update(at);
  }

  private void resolve(AlertEpisode episode, long ts, Collector<Alert> out) {
    episode.setState(AlertState.RESOLVED);
    episode.setResolvedTs(ts);
    episode.setSnoozedUntil(null);
    episode.setPendingNotification(false);
    resolved.inc();
    transition(episode, AlertState.RESOLVED, ts, out);
  }

  private void transition(AlertEpisode episode, AlertState state, long ts, Collector<Alert> out) {
    if (episode.isFlapping()) {
      episode.setLastTransitionTs(ts);
      suppressed.inc();
      return;
    }
    episode.setLastTransitionTs(ts);
    emit(episode, state, ts, out);
  }

  private static void emit(AlertEpisode episode, AlertState state, long ts, Collector<Alert> out) {
    episode.setLastEmittedTs(ts);
    out.collect(episode.toAlert(state, ts));
  }

  private static String key(String rule, String metric) {
    return metric == null ? rule : rule + SEPARATOR + metric;
  }
}
