package io.fleetpulse.jobs.enrich;

import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Recognises a device's repeated messages without ever dropping a new one.
 *
 * <p>A duplicate is the same message again: the same {@code seq} and the same {@code ts} (or, with
 * no seq, the same content fingerprint, which covers {@code ts}). A seq that restarts after a
 * reboot comes with later timestamps, so it is a new epoch, not a repeat. The horizon is measured
 * in the device's own event time, so a backlog of hours replayed in seconds behaves like live
 * traffic. Memory per device is one small fixed ring of recent identities ({@link RecentMessages}),
 * one state value, no timers and no map iteration: a repeat further back than {@code window}
 * messages of the same device is kept (counted twice downstream), never the reverse.
 */
final class Deduplicator {

  private final ValueState<RecentMessages> recent;
  private final long horizonMs;
  private final int window;

  Deduplicator(RuntimeContext context, Duration horizon, int window) {
    this.horizonMs = horizon.toMillis();
    this.window = window;
    this.recent =
        context.getState(
            new ValueStateDescriptor<>("dedupe-recent", Types.POJO(RecentMessages.class)));
  }

  /** True the first time this device's message is seen, false for a repeat. */
  boolean firstSighting(Telemetry telemetry) throws Exception {
    RecentMessages messages = recent.value();
    if (messages == null) {
      messages = new RecentMessages(window);
    }
    long id = telemetry.getSeq() != null ? telemetry.getSeq() : TelemetryFingerprint.of(telemetry);
    boolean repeat = messages.seenBefore(id, telemetry.getTs(), horizonMs);
    recent.update(messages);
    return !repeat;
  }
}
