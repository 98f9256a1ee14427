package io.fleetpulse.api.webhooks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One message on its way to one endpoint: the signed body stays the same on every try, the {@code
 * webhook-id} ({@link #deliveryId}) is the receiver's idempotency key.
 */
final class Delivery {

  /** Where a delivery is. */
  enum State {
    PENDING,
    DELIVERED,
    PARKED,
    DROPPED
  }

  /** One HTTP try: when, the status (null when no answer came), how long, what went wrong. */
  record Attempt(long at, Integer status, long latencyMs, String error) {}

  final String endpointId;
  final String deliveryId;
  final String alertId;
  final String eventType;
  final String body;
  final int sourcePartition;
  final long sourceOffset;
  final boolean replay;
  private final Runnable onDone;
  private Runnable alsoOnDone = () -> {};
  private final List<Attempt> attempts = new ArrayList<>();
  private State state = State.PENDING;
  private String outcome;
  private boolean done;

  Delivery(
      String endpointId,
      String deliveryId,
      String alertId,
      String eventType,
      String body,
      int sourcePartition,
      long sourceOffset,
      boolean replay,
      Runnable onDone) {
    this.endpointId = endpointId;
    this.deliveryId = deliveryId;
    this.alertId = alertId;
    this.eventType = eventType;
    this.body = body;
    this.sourcePartition = sourcePartition;
    this.sourceOffset = sourceOffset;
    this.replay = replay;
    this.onDone = onDone;
  }

  synchronized int attempt(Attempt attempt) {
    attempts.add(attempt);
    return attempts.size();
  }

  synchronized Attempt lastAttempt() {
    return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
  }

  synchronized int attemptCount() {
    return attempts.size();
  }

  synchronized State state() {
    return state;
  }

  /** Runs {@code r} too when the delivery ends (set before it is attempted). */
  synchronized void alsoOnDone(Runnable r) {
    alsoOnDone = r;
  }

  /** Ends the delivery once; the record it came from may then be committed. */
  void finish(State end, String why) {
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      state = end;
      outcome = why;
    }
    alsoOnDone.run();
    onDone.run();
  }

  synchronized Map<String, Object> view() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("deliveryId", deliveryId);
    v.put("alertId", alertId);
    v.put("eventType", eventType);
    v.put("state", state.name());
    if (outcome != null) {
      v.put("outcome", outcome);
    }
    v.put("replay", replay);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Attempt a : attempts) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("at", a.at());
      if (a.status() != null) {
        one.put("status", a.status());
      }
      one.put("latencyMs", a.latencyMs());
      if (a.error() != null) {
        one.put("error", a.error());
      }
      list.add(one);
    }
    v.put("attempts", list);
    return v;
  }
}
