package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.fasterxml.jackson.core.io.NumberInput;
import io.fleetpulse.model.DeviceIds;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryParser;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * A one-pass scanner over the bytes of the message almost every device sends: one reading, plain
 * ASCII, no escapes, no nesting beyond {@code metrics}. It returns exactly the {@link Telemetry}
 * that {@link TelemetryParser} would, or null for anything else (a batch, an escape, a duplicate
 * field, an unusual number, any error), which then goes to {@link TelemetryParser} and gets its
 * full checks and messages.
 *
 * <p>Why not only Jackson: parsing was 37 % of the job's time in bench/ (a parser, an IO context
 * and a symbol-table lookup per message, a String per number); this reads each byte once, keeps the
 * device's metric names as the same String instances, and parses decimals with the
 * correctly-rounded parser Jackson ships, so values are bit-for-bit what {@code Double.parseDouble}
 * gives. {@code PlainReadingScannerTest} holds it to the full parser.
 *
 * <p>Not thread-safe: one per deserializer instance.
 */
final class PlainReadingScanner {

  private static final int FAIL = -1;

  /** Longest number this scanner reads; longer ones are left to Jackson. */
  private static final int MAX_NUMBER_CHARS = 64;

  /** How many distinct metric names are kept as ready Strings. */
  private static final int NAME_CACHE = 32;

  /** Slots of the device-id cache (a power of two). */
  private static final int ID_CACHE = 1 << 14;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** The 64-bit golden-ratio constant: multiplying by it mixes the bytes into the high bits. */
  private static final long MIX = 0x9E3779B97F4A7C15L;

  private static final byte[] DEVICE_ID = ascii("deviceId");
  private static final byte[] TS = ascii("ts");
  private static final byte[] SEQ = ascii("seq");
  private static final byte[] METRICS = ascii("metrics");

  private final int maxPayloadBytes;
  private final long maxFutureSkewMs;
  private final LongSupplier clock;
  private final char[] number = new char[MAX_NUMBER_CHARS];
  private final byte[][] nameBytes = new byte[NAME_CACHE][];
  private final String[] names = new String[NAME_CACHE];
  private int cachedNames;
  private final String[] ids = new String[ID_CACHE];
  private final byte[][] idBytes = new byte[ID_CACHE][];
  private final int[] idHashes = new int[ID_CACHE];

  // The last number read: its value as a long when integral, its kind.
  private long integer;
  private boolean integral;
  private double decimal;

  PlainReadingScanner(int maxPayloadBytes, long maxFutureSkewMs, LongSupplier clock) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxFutureSkewMs = maxFutureSkewMs;
    this.clock = clock;
  }

  /** The one valid reading in {@code b}, or null when the full parser must decide. */
  Telemetry scan(byte[] b) {
    if (b == null || b.length == 0 || b.length > maxPayloadBytes) {
      return null;
    }
    int n = b.length;
    int i = ws(b, 0);
    if (i >= n || b[i] != '{') {
      return null;
    }
    Telemetry t = new Telemetry();
    boolean hasTs = false;
    boolean hasSeq = false;
    i = ws(b, i + 1);
    while (true) {
      if (i >= n || b[i] != '"') {
        return null;
      }
      int keyStart = i + 1;
      int keyEnd = plainString(b, keyStart);
      if (keyEnd == FAIL) {
        return null;
      }
      i = ws(b, keyEnd + 1);
      if (i >= n || b[i] != ':') {
        return null;
      }
      i = ws(b, i + 1);
      if (i >= n) {
        return null;
      }
      if (is(b, keyStart, keyEnd, DEVICE_ID)) {
        if (t.getDeviceId() != null || b[i] != '"') {
          return null;
        }
        int end = plainString(b, i + 1);
        if (end == FAIL || end - i - 1 > DeviceIds.MAX_LENGTH) {
          return null;
        }
        String id = deviceId(b, i + 1, end);
        if (id == null) {
          return null;
        }
        t.setDeviceId(id);
        i = end + 1;
      } else if (is(b, keyStart, keyEnd, TS)) {
        if (hasTs) {
          return null;
        }
        i = number(b, i);
        if (i == FAIL || !integral) {
          return null;
        }
        t.setTs(integer);
        hasTs = true;
      } else if (is(b, keyStart, keyEnd, SEQ)) {
        if (hasSeq) {
          return null;
        }
        i = number(b, i);
        if (i == FAIL || !integral) {
          return null;
        }
        t.setSeq(integer);
        hasSeq = true;
      } else if (is(b, keyStart, keyEnd, METRICS)) {
        if (t.getMetrics() != null || b[i] != '{') {
          return null;
        }
        MetricArray metrics = new MetricArray(4);
        i = metrics(b, i + 1, metrics);
        if (i == FAIL) {
          return null;
        }
        t.setMetrics(metrics);
      } else {
        // Any other field ("fw", ...) is skipped, as the full parser does, if it is a scalar.
        i = skipScalar(b, i);
        if (i == FAIL) {
          return null;
        }
      }
      i = ws(b, i);
      if (i >= n) {
        return null;
      }
      if (b[i] == '}') {
        break;
      }
      if (b[i] != ',') {
        return null;
      }
      i = ws(b, i + 1);
    }
    if (ws(b, i + 1) != n || t.getDeviceId() == null || !hasTs || t.getMetrics() == null) {
      return null;
    }
    long ts = t.getTs();
    if (ts < TelemetryParser.MIN_TS || ts > clock.getAsLong() + maxFutureSkewMs) {
      return null;
    }
    return t;
  }

  /** Reads {@code name: number} pairs after the opening brace; the index after the closing one. */
  private int metrics(byte[] b, int i, MetricArray metrics) {
    int n = b.length;
    i = ws(b, i);
    if (i >= n || b[i] == '}') {
      // No metrics: the full parser names the problem.
      return FAIL;
    }
    while (true) {
      if (i >= n || b[i] != '"') {
        return FAIL;
      }
      int end = plainString(b, i + 1);
      if (end == FAIL) {
        return FAIL;
      }
      String name = metricName(b, i + 1, end);
      if (name == null) {
        return FAIL;
      }
      i = ws(b, end + 1);
      if (i >= n || b[i] != ':') {
        return FAIL;
      }
      i = number(b, ws(b, i + 1));
      if (i == FAIL) {
        return FAIL;
      }
      double value = integral ? (double) integer : decimal;
      if (!Double.isFinite(value) || metrics.put(name, value) != null) {
        return FAIL;
      }
      i = ws(b, i);
      if (i >= n) {
        return FAIL;
      }
      if (b[i] == '}') {
        return i + 1;
      }
      if (b[i] != ',') {
        return FAIL;
      }
      i = ws(b, i + 1);
    }
  }

  /**
   * The device id in {@code b[start, end)}, or null when it is not a valid one; the same String for
   * the same id while it keeps its slot. A hit costs a cheap hash of the bytes and one comparison
   * instead of a String, its validation and, on the keyBy, its {@code hashCode} per record (the
   * cached instance keeps its hash).
   */
  private String deviceId(byte[] b, int start, int end) {
    int len = end - start;
    int h = bytesHash(b, start, len);
    int slot = h & (idBytes.length - 1);
    byte[] known = idBytes[slot];
    if (known != null
        && idHashes[slot] == h
        && known.length == len
        && Arrays.equals(known, 0, len, b, start, end)) {
      return ids[slot];
    }
    String id = new String(b, start, len, US_ASCII);
    if (!DeviceIds.isValid(id)) {
      return null;
    }
    ids[slot] = id;
    idBytes[slot] = Arrays.copyOfRange(b, start, end);
    idHashes[slot] = h;
    return id;
  }

  /** A hash of {@code b[start, start + len)} read eight bytes at a time, for cache slots only. */
  static int bytesHash(byte[] b, int start, int len) {
    long h = len;
    int end = start + len;
    int i = start;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      h = (h ^ (long) LONGS.get(b, i)) * MIX;
    }
    if (i < end) {
      if (len >= Long.BYTES) {
        // The tail as the last eight bytes, overlapping what was read.
        h = (h ^ (long) LONGS.get(b, end - Long.BYTES)) * MIX;
      } else {
        for (; i < end; i++) {
          h = (h ^ b[i]) * MIX;
        }
      }
    }
    h ^= h >>> 29;
    return (int) (h ^ (h >>> 32));
  }

  /** The metric name in {@code b[start, end)}, the same String for the same name, or null. */
  private String metricName(byte[] b, int start, int end) {
    int len = end - start;
    for (int k = 0; k < cachedNames; k++) {
      byte[] known = nameBytes[k];
      if (known.length == len && Arrays.equals(known, 0, len, b, start, end)) {
        return names[k];
      }
    }
    String name = new String(b, start, len, US_ASCII);
    if (!TelemetryParser.isValidMetricName(name)) {
      return null;
    }
    if (cachedNames < NAME_CACHE) {
      nameBytes[cachedNames] = Arrays.copyOfRange(b, start, end);
      names[cachedNames] = name;
      cachedNames++;
    }
    return name;
  }

  /**
   * Reads a JSON number at {@code i} (strict JSON grammar) into {@link #integer} or {@link
   * #decimal}; the index after it, or FAIL for anything the full parser should see.
   */
  private int number(byte[] b, int i) {
    int n = b.length;
    int start = i;
    boolean negative = false;
    if (i < n && b[i] == '-') {
      negative = true;
      i++;
    }
    int digitsStart = i;
    long value = 0;
    while (i < n && b[i] >= '0' && b[i] <= '9') {
      value = value * 10 + (b[i] - '0');
      i++;
    }
    int digits = i - digitsStart;
    if (digits == 0 || (digits > 1 && b[digitsStart] == '0')) {
      return FAIL;
    }
    boolean isIntegral = true;
    if (i < n && b[i] == '.') {
      isIntegral = false;
      int fracStart = ++i;
      while (i < n && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      if (i == fracStart) {
        return FAIL;
      }
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      isIntegral = false;
      i++;
      if (i < n && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int expStart = i;
      while (i < n && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      if (i == expStart) {
        return FAIL;
      }
    }
    if (i < n && !isDelimiter(b[i])) {
      return FAIL;
    }
    integral = isIntegral;
    if (isIntegral) {
      // Up to 18 digits always fit a long; longer integers are left to Jackson.
      if (digits > 18) {
        return FAIL;
      }
      integer = negative ? -value : value;
      return i;
    }
    int len = i - start;
    if (len > MAX_NUMBER_CHARS) {
      return FAIL;
    }
    for (int k = 0; k < len; k++) {
      number[k] = (char) b[start + k];
    }
    decimal = NumberInput.parseDouble(number, 0, len, true);
    return i;
  }

  /** Skips a string without escapes, a number, true, false or null; FAIL for anything else. */
  private int skipScalar(byte[] b, int i) {
    byte c = b[i];
    if (c == '"') {
      int end = plainString(b, i + 1);
      return end == FAIL ? FAIL : end + 1;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number(b, i);
    }
    for (byte[] literal : LITERALS) {
      if (b.length - i >= literal.length
          && Arrays.equals(literal, 0, literal.length, b, i, i + literal.length)
          && (i + literal.length == b.length || isDelimiter(b[i + literal.length]))) {
        return i + literal.length;
      }
    }
    return FAIL;
  }

  private static final byte[][] LITERALS = {ascii("true"), ascii("false"), ascii("null")};

  /** The index of the closing quote of a string of printable ASCII without escapes, or FAIL. */
  private static int plainString(byte[] b, int i) {
    int n = b.length;
    while (i < n) {
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      if (c < 0x20 || c == '\\' || c == 0x7f) {
        // Control characters, escapes and non-ASCII (negative bytes) are the full parser's.
        return FAIL;
      }
      i++;
    }
    return FAIL;
  }

  private static boolean is(byte[] b, int start, int end, byte[] name) {
    if (end - start != name.length) {
      return false;
    }
    // A plain loop: the names are 2 to 8 bytes, too short for Arrays.equals to pay its call.
    for (int k = 0; k < name.length; k++) {
      if (b[start + k] != name[k]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDelimiter(byte c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static int ws(byte[] b, int i) {
    if (i < b.length && b[i] > ' ') {
      // Compact JSON: no whitespace between tokens, one comparison.
      return i;
    }
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
    return i;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(US_ASCII);
  }
}
