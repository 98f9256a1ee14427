package io.fleetpulse.jobs.enrich;

import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Remembers, per device, the sequence numbers (or, without one, the content fingerprints) seen
 * within the horizon, to recognise repeated messages.
 *
 * <p>The horizon is a state TTL, measured in processing time: entries expire on their own, so the
 * state stays bounded without a timer per message.
 */
final class Deduplicator {

  private final MapState<Long, Boolean> seenSeq;
  private final MapState<Long, Boolean> seenFingerprint;

  Deduplicator(RuntimeContext context, Duration horizon) {
    StateTtlConfig ttl =
        StateTtlConfig.newBuilder(horizon)
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
            .cleanupFullSnapshot()
            .build();
    MapStateDescriptor<Long, Boolean> seq =
        new MapStateDescriptor<>("dedupe-seq", Types.LONG, Types.BOOLEAN);
    seq.enableTimeToLive(ttl);
    MapStateDescriptor<Long, Boolean> fingerprint =
        new MapStateDescriptor<>("dedupe-fingerprint", Types.LONG, Types.BOOLEAN);
    fingerprint.enableTimeToLive(ttl);
    this.seenSeq = context.getMapState(seq);
    this.seenFingerprint = context.getMapState(fingerprint);
  }

  /** True the first time this device's message is seen within the horizon, false for repeats. */
  boolean firstSighting(Telemetry telemetry) throws Exception {
    MapState<Long, Boolean> seen = telemetry.getSeq() != null ? seenSeq : seenFingerprint;
    long id = telemetry.getSeq() != null ? telemetry.getSeq() : TelemetryFingerprint.of(telemetry);
    if (seen.contains(id)) {
      return false;
    }
    seen.put(id, Boolean.TRUE);
    return true;
  }
}
