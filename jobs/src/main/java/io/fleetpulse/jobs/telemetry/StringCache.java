package io.fleetpulse.jobs.telemetry;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * so a read finds its slot without hashing the bytes, and a hit compares the bytes a long at a
 * time. Hashing the bytes here, and the hash of new strings on slot misses, was the largest frame
 * of the keyed operator in bench/ ({@code StringLatin1.hashCode}, 15 %). The hash only picks the
 * slot: a hit needs the same bytes.
 */
final class StringCache {

  /** Longer strings are not cached (device ids are at most 128 characters). */
  static final int MAX_CACHED = 128;

  /** Per slot: a header (hash and length) and up to this many longs of bytes, inline. */
  private static final int SLOT_LONGS = 8;

  /** The longest string a slot holds: 56 bytes, one 64-byte line with its header. */
  private static final int INLINE_BYTES = (SLOT_LONGS - 1) * Long.BYTES;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  // The slots' bytes in one flat array rather than a byte[] per slot: a lookup reads one line
  // there (and the string's reference) instead of three arrays and an object.
  private final long[] table;
  private final String[] strings;
  // Zero-padded to whole longs past the string read.
  private final byte[] buffer = new byte[MAX_CACHED + Long.BYTES];

  StringCache(int slots) {
    int n = Integer.highestOneBit(slots);
    this.table = new long[n * SLOT_LONGS];
    this.strings = new String[n];
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
    if (n > INLINE_BYTES) {
      return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }
    int words = (n + Long.BYTES - 1) / Long.BYTES;
    Arrays.fill(b, n, words * Long.BYTES, (byte) 0);
    // Spread the high bits into the slot index: String.hashCode of similar ids differs in the low
    // bits mostly, but not only.
    int slot = (h ^ (h >>> 15)) & (strings.length - 1);
    int base = slot * SLOT_LONGS;
    long header = ((long) h << 32) | n;
    long[] t = table;
    if (t[base] == header && strings[slot] != null && same(t, base + 1, b, words)) {
      return strings[slot];
    }
    String s = new String(b, 0, n, StandardCharsets.ISO_8859_1);
    t[base] = header;
    for (int w = 0; w < words; w++) {
      t[base + 1 + w] = (long) LONGS.get(b, w * Long.BYTES);
    }
    strings[slot] = s;
    return s;
  }

  private static boolean same(long[] t, int from, byte[] b, int words) {
    for (int w = 0; w < words; w++) {
      if (t[from + w] != (long) LONGS.get(b, w * Long.BYTES)) {
        return false;
      }
    }
    return true;
  }
}
