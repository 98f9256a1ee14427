package io.fleetpulse.jobs.enrich;

import io.fleetpulse.model.Telemetry;
import java.util.Map;

/**
 * A 64-bit fingerprint of a message's content (event time and metrics), for recognising a repeated
 * message from a device that sends no sequence number.
 */
public final class TelemetryFingerprint {

  private TelemetryFingerprint() {}

  /** Equal for equal {@code ts} and metrics, whatever order the metrics were sent in. */
  public static long of(Telemetry telemetry) {
    long h = mix(telemetry.getTs());
    for (Map.Entry<String, Double> metric : telemetry.getMetrics().entrySet()) {
      // Summing mixed entry hashes makes the result independent of map order.
      h +=
          mix(
              metric.getKey().hashCode() * 0x9E3779B97F4A7C15L
                  ^ Double.doubleToLongBits(metric.getValue()));
    }
    return mix(h);
  }

  /** The finalizer of MurmurHash3 (fmix64): spreads every input bit over the whole word. */
  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
