package io.fleetpulse.jobs.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;

/**
 * Reads the Latin-1 strings of {@link TelemetrySerializer} and returns the instance it read last
 * for the same characters when that is still in its slot (one slot per hash, the newest wins):
 * telemetry repeats a few metric names and a bounded set of device ids, so most reads allocate
 * nothing and give downstream code a string whose hash is already computed. Not thread-safe.
 *
 * <p>The writer sends each string's {@code hashCode} with it (the keyBy has computed it already),
 * so a read finds its slot without hashing the bytes, and a hit is one vectorised byte comparison.
 * Hashing the bytes here, and the hash of new strings on slot misses, was the largest frame of the
 * keyed operator in bench/ ({@code StringLatin1.hashCode}, 15 %). The hash only picks the slot: a
 * hit needs the same bytes.
 */
final class StringCache {

  /** Longer strings are not cached (device ids are at most 128 characters). */
  static final int MAX_CACHED = 128;

  private final String[] strings;
  private final byte[][] bytes;
  private final int[] hashes;
  private final byte[] buffer = new byte[MAX_CACHED];

  StringCache(int slots) {
    int n = Integer.highestOneBit(slots);
    this.strings = new String[n];
    this.bytes = new byte[n][];
    this.hashes = new int[n];
  }

  /**
   * The next string of {@code in}, written by {@link TelemetrySerializer#writeCachedString}: its
   * hash, its length, its bytes.
   */
  String read(DataInputView in) throws IOException {
    int h = in.readInt();
    int n = in.readInt();
    if (n < 0 || n > MAX_CACHED) {
      return TelemetrySerializer.readString(n, in);
    }
    byte[] b = buffer;
    in.readFully(b, 0, n);
    // Spread the high bits into the slot index: String.hashCode of similar ids differs in the low
    // bits mostly, but not only.
    int slot = (h ^ (h >>> 15)) & (strings.length - 1);
    byte[] known = bytes[slot];
    if (known != null
        && hashes[slot] == h
        && known.length == n
        && Arrays.equals(known, 0, n, b, 0, n)) {
      return strings[slot];
    }
    String s = new String(b, 0, n, StandardCharsets.ISO_8859_1);
    strings[slot] = s;
    bytes[slot] = Arrays.copyOf(b, n);
    hashes[slot] = h;
    return s;
  }
}
