package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.model.Telemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A hand-written serializer for {@link Telemetry} on the job's keyBy: one flag byte for the
 * optional fields, then the fields in a fixed order and the metrics as a count and name/value
 * pairs; the device id and the metric names are preceded by their {@code hashCode}, for {@link
 * StringCache}. No state and no (aligned) checkpoint holds this format: it may change between
 * versions.
 *
 * <p>The reflective POJO serializer (a null flag and a field lookup per field, a map serializer
 * with a null flag per entry) was the largest single cost of the keyed pipeline in bench/; this
 * writes about half the bytes with no reflection. Used for records between operators only; state
 * keeps its own serializers.
 *
 * <p>Reading, it hands out the same {@code String} instance for the same device id or metric name
 * as long as it stays in a small cache ({@link StringCache}): no allocation for them, and the keyed
 * operator's comparisons (state key, metric names of a window) find identical strings. So an
 * instance is not thread-safe: {@link #duplicate} gives each user its own.
 */
public final class TelemetrySerializer extends TypeSerializer<Telemetry> {

  private static final long serialVersionUID = 1L;

  /** Slots of the device-id cache (per instance: one per input of a task). */
  private static final int DEVICE_SLOTS = 1 << 15;

  /** Slots of the metric-name cache. */
  private static final int NAME_SLOTS = 1 << 6;

  private transient StringCache deviceIds;
  private transient StringCache names;

  public TelemetrySerializer() {}

  @Override
  public TelemetrySerializer duplicate() {
    return new TelemetrySerializer();
  }

  private static final int HAS_DEVICE_ID = 1;
  private static final int HAS_SEQ = 1 << 1;
  private static final int HAS_METRICS = 1 << 2;
  private static final int HAS_TYPE = 1 << 3;
  private static final int HAS_SITE = 1 << 4;
  private static final int HAS_FIRMWARE = 1 << 5;
  private static final int HAS_STATUS = 1 << 6;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public Telemetry createInstance() {
    return new Telemetry();
  }

  @Override
  public Telemetry copy(Telemetry from) {
    Telemetry to = new Telemetry(from.getDeviceId(), from.getTs(), from.getSeq(), null);
    if (from.getMetrics() != null) {
      to.setMetrics(MetricArray.of(from.getMetrics()));
    }
    to.setType(from.getType());
    to.setSite(from.getSite());
    to.setFirmware(from.getFirmware());
    to.setStatus(from.getStatus());
    to.setSourcePartition(from.getSourcePartition());
    to.setSourceOffset(from.getSourceOffset());
    return to;
  }

  @Override
  public Telemetry copy(Telemetry from, Telemetry reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Telemetry t, DataOutputView out) throws IOException {
    Map<String, Double> metrics = t.getMetrics();
    int flags =
        (t.getDeviceId() != null ? HAS_DEVICE_ID : 0)
            | (t.getSeq() != null ? HAS_SEQ : 0)
            | (metrics != null ? HAS_METRICS : 0)
            | (t.getType() != null ? HAS_TYPE : 0)
            | (t.getSite() != null ? HAS_SITE : 0)
            | (t.getFirmware() != null ? HAS_FIRMWARE : 0)
            | (t.getStatus() != null ? HAS_STATUS : 0);
    out.writeByte(flags);
    if (t.getDeviceId() != null) {
      writeCachedString(t.getDeviceId(), out);
    }
    out.writeLong(t.getTs());
    if (t.getSeq() != null) {
      out.writeLong(t.getSeq());
    }
    if (metrics != null) {
      out.writeInt(metrics.size());
      if (metrics instanceof MetricArray array) {
        for (int i = 0; i < array.size(); i++) {
          writeCachedString(array.name(i), out);
          out.writeDouble(array.value(i));
        }
      } else {
        for (Map.Entry<String, Double> metric : metrics.entrySet()) {
          writeCachedString(metric.getKey(), out);
          out.writeDouble(metric.getValue());
        }
      }
    }
    writeIf(t.getType(), out);
    writeIf(t.getSite(), out);
    writeIf(t.getFirmware(), out);
    writeIf(t.getStatus(), out);
    out.writeInt(t.getSourcePartition());
    out.writeLong(t.getSourceOffset());
  }

  private static void writeIf(String s, DataOutputView out) throws IOException {
    if (s != null) {
      writeString(s, out);
    }
  }

  /**
   * A string that {@link StringCache} reads: its {@code hashCode} (computed already for a device
   * id: the keyBy hashed it), then as {@link #writeString}.
   */
  private static void writeCachedString(String s, DataOutputView out) throws IOException {
    out.writeInt(s.hashCode());
    writeString(s, out);
  }

  /**
   * A string as its length and one byte per character when it is Latin-1 (device ids and metric
   * names always are: one array copy each way instead of {@link StringValue}'s call per character);
   * otherwise -1 and {@link StringValue}'s encoding.
   */
  private static void writeString(String s, DataOutputView out) throws IOException {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) > 0xFF) {
        out.writeInt(-1);
        StringValue.writeString(s, out);
        return;
      }
    }
    out.writeInt(n);
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A string as {@link #writeString} wrote it. */
  static String readString(DataInputView in) throws IOException {
    return readString(in.readInt(), in);
  }

  /** The rest of a string whose length {@code n} (-1: not Latin-1) has been read. */
  static String readString(int n, DataInputView in) throws IOException {
    if (n < 0) {
      return StringValue.readString(in);
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  @Override
  public Telemetry deserialize(DataInputView in) throws IOException {
    Telemetry t = new Telemetry();
    int flags = in.readUnsignedByte();
    if (deviceIds == null) {
      deviceIds = new StringCache(DEVICE_SLOTS);
      names = new StringCache(NAME_SLOTS);
    }
    if ((flags & HAS_DEVICE_ID) != 0) {
      t.setDeviceId(deviceIds.read(in));
    }
    t.setTs(in.readLong());
    if ((flags & HAS_SEQ) != 0) {
      t.setSeq(in.readLong());
    }
    if ((flags & HAS_METRICS) != 0) {
      int n = in.readInt();
      MetricArray metrics = new MetricArray(n);
      for (int i = 0; i < n; i++) {
        metrics.put(names.read(in), in.readDouble());
      }
      t.setMetrics(metrics);
    }
    if ((flags & HAS_TYPE) != 0) {
      t.setType(readString(in));
    }
    if ((flags & HAS_SITE) != 0) {
      t.setSite(readString(in));
    }
    if ((flags & HAS_FIRMWARE) != 0) {
      t.setFirmware(readString(in));
    }
    if ((flags & HAS_STATUS) != 0) {
      t.setStatus(readString(in));
    }
    t.setSourcePartition(in.readInt());
    t.setSourceOffset(in.readLong());
    return t;
  }

  @Override
  public Telemetry deserialize(Telemetry reuse, DataInputView in) throws IOException {
    // A fresh record: with object reuse a downstream sink may still hold the previous one.
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof TelemetrySerializer;
  }

  @Override
  public int hashCode() {
    return TelemetrySerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<Telemetry> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * The snapshot of this serializer (the format above, no configuration; records between operators
   * only).
   */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<Telemetry> {
    public Snapshot() {
      super(TelemetrySerializer::new);
    }
  }
}
