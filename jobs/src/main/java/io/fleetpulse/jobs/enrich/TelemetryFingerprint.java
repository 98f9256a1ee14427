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
              hash64(metric.getKey()) * 0x9E3779B97F4A7C15L
                  ^ Double.doubleToLongBits(metric.getValue()));
    }
    return mix(h);
  }

  /**
   * A 64-bit hash of the name's characters (FNV-1a, then mixed): {@code String.hashCode} has 32
   * bits and collides on names as short as "Aa" and "BB".
   */
  static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
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
