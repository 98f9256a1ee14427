package io.fleetpulse.jobs.enrich;

import io.fleetpulse.model.Telemetry;
import java.io.Serializable;
import java.time.Duration;

/**
 * Recognises a device's repeated messages without ever dropping a new one.
 *
 * <p>A duplicate is the same message again: the same {@code seq} and the same {@code ts} (or, with
 * no seq, the same content fingerprint, which covers {@code ts}). A seq that restarts after a
 * reboot comes with later timestamps, so it is a new epoch, not a repeat. The horizon is measured
 * in the device's own event time, so a backlog of hours replayed in seconds behaves like live
 * traffic. Memory per device is one small fixed ring of recent identities ({@link RecentMessages}),
 * kept in the device's one state value by its operator; no timers and no map iteration: a repeat
 * further back than {@code window} messages of the same device is kept (counted twice downstream),
 * never the reverse.
 */
public final class Deduplicator implements Serializable {

  private static final long serialVersionUID = 1L;

  /** How many recent messages per device dedupe remembers. */
  public static final int WINDOW = 64;

  private final long horizonMs;

  public Deduplicator(Duration horizon) {
    this.horizonMs = horizon.toMillis();
  }

  /** An empty anti-replay window for a device seen for the first time. */
  public static RecentMessages fresh() {
    return new RecentMessages(WINDOW);
  }

  /** True the first time this device's message is seen (and remembers it), false for a repeat. */
  public boolean firstSighting(RecentMessages messages, Telemetry telemetry) {
    long id = telemetry.getSeq() != null ? telemetry.getSeq() : TelemetryFingerprint.of(telemetry);
    return !messages.seenBefore(id, telemetry.getTs(), horizonMs);
  }
}
