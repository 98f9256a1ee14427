package io.fleetpulse.jobs.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;

/**
 * Reads the Latin-1 strings of {@link TelemetrySerializer} and returns the instance it read last
 * for the same characters when that is still in its slot (one slot per hash, the newest wins):
 * telemetry repeats a few metric names and a bounded set of device ids, so most reads allocate
 * nothing and give downstream code a string whose hash is already computed. Not thread-safe.
 */
final class StringCache {

  /** Longer strings are not cached (device ids are at most 128 characters). */
  private static final int MAX_CACHED = 128;

  private final String[] slots;
  private final byte[] buffer = new byte[MAX_CACHED];

  StringCache(int slots) {
    this.slots = new String[Integer.highestOneBit(slots)];
  }

  /** The next string of {@code in}, as {@link TelemetrySerializer} wrote it. */
  String read(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_CACHED) {
      return TelemetrySerializer.readString(n, in);
    }
    byte[] b = buffer;
    in.readFully(b, 0, n);
    int h = 0;
    for (int i = 0; i < n; i++) {
      h = 31 * h + (b[i] & 0xFF);
    }
    // The same hash as String.hashCode of a Latin-1 string; spread for the slot index.
    int slot = (h ^ (h >>> 16)) & (slots.length - 1);
    String cached = slots[slot];
    if (cached != null && cached.length() == n && cached.hashCode() == h && same(cached, b, n)) {
      return cached;
    }
    String s = new String(b, 0, n, StandardCharsets.ISO_8859_1);
    slots[slot] = s;
    return s;
  }

  private static boolean same(String s, byte[] b, int n) {
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) != (b[i] & 0xFF)) {
        return false;
      }
    }
    return true;
  }
}
