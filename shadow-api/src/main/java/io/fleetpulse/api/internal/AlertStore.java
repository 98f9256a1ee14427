package io.fleetpulse.api.internal;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.ModelJson;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The alerts as read from {@code iot.alerts}, deduplicated by {@code alertId}: the latest
 * transition read is the alert's state (one device's transitions share a partition, so they are
 * read in the order they were written); the newest transitions are kept for the detail view.
 */
public final class AlertStore implements TopicView.Materializer {

  /** Newest first; ties by id so that pages are stable. */
  public static final Comparator<Alert> NEWEST_FIRST =
      Comparator.comparingLong(Alert::getTs).reversed().thenComparing(Alert::getAlertId);

  private final Map<String, Entry> alerts = new ConcurrentHashMap<>();
  private final int maxTransitions;
  private volatile Connectivity connectivity;

  public AlertStore(int maxTransitions) {
    this.maxTransitions = maxTransitions;
  }

  /** Tells {@code connectivity} about every transition (offline alerts drive it). */
  public void feed(Connectivity connectivity) {
    this.connectivity = connectivity;
  }

  @Override
  public void apply(String key, byte[] value) {
    if (value == null || value.length == 0) {
      throw new IllegalArgumentException("empty alert record");
    }
    Alert alert = ModelJson.fromBytes(value, Alert.class);
    if (alert.getAlertId() == null || alert.getAlertId().isEmpty()) {
      throw new IllegalArgumentException("alert without alertId");
    }
    if (alert.getDeviceId() == null) {
      alert.setDeviceId(key);
    }
    Connectivity c = connectivity;
    if (c != null) {
      c.onAlert(alert);
    }
    alerts.compute(
        alert.getAlertId(),
        (id, entry) -> {
          Entry next = entry == null ? new Entry() : entry;
          next.add(alert, maxTransitions);
          return next;
        });
  }

  /** The alert's latest transition, or null. */
  public Alert get(String alertId) {
    Entry entry = alerts.get(alertId);
    return entry == null ? null : entry.latest;
  }

  /** The alert's kept transitions, oldest first. */
  public List<Alert> transitions(String alertId) {
    Entry entry = alerts.get(alertId);
    if (entry == null) {
      return List.of();
    }
    synchronized (entry) {
      return new ArrayList<>(entry.transitions);
    }
  }

  public int size() {
    return alerts.size();
  }

  /** The latest state of every alert that passes {@code filter}, newest first. */
  public List<Alert> matching(Predicate<Alert> filter) {
    List<Alert> result = new ArrayList<>();
    for (Entry entry : alerts.values()) {
      Alert latest = entry.latest;
      if (filter.test(latest)) {
        result.add(latest);
      }
    }
    result.sort(NEWEST_FIRST);
    return result;
  }

  private static final class Entry {
    private final Deque<Alert> transitions = new ArrayDeque<>();
    private volatile Alert latest;

    synchronized void add(Alert alert, int max) {
      transitions.addLast(alert);
      while (transitions.size() > max) {
        transitions.removeFirst();
      }
      latest = alert;
    }
  }
}
