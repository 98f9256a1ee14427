package io.fleetpulse.jobs.replay;

import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.model.Telemetry;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Reads the archive's Parquet files back as the TelemetryJob's source records, keeping those whose
 * event time is in {@code [fromMs, toMs)}. It reads with parquet-avro straight from Flink's file
 * system (file, S3), so no Avro type ever becomes a Flink type.
 */
final class ArchiveTelemetryFormat implements StreamFormat<ParsedTelemetry> {

  private static final long serialVersionUID = 1L;

  private final long fromMs;
  private final long toMs;

  ArchiveTelemetryFormat(long fromMs, long toMs) {
    this.fromMs = fromMs;
    this.toMs = toMs;
  }

  @Override
  public Reader<ParsedTelemetry> createReader(
      Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
      throws IOException {
    ParquetReader<GenericRecord> parquet =
        AvroParquetReader.<GenericRecord>builder(new FlinkInputFile(stream, fileLen))
            .withDataModel(GenericData.get())
            .build();
    return new Reader<>() {
      @Override
      public ParsedTelemetry read() throws IOException {
        for (GenericRecord r = parquet.read(); r != null; r = parquet.read()) {
          long ts = (Long) r.get("ts");
          if (ts >= fromMs && ts < toMs) {
            return ParsedTelemetry.valid(telemetry(r, ts));
          }
        }
        return null;
      }

      @Override
      public void close() throws IOException {
        parquet.close();
      }
    };
  }

  @Override
  public Reader<ParsedTelemetry> restoreReader(
      Configuration config,
      FSDataInputStream stream,
      long restoredOffset,
      long fileLen,
      long splitEnd)
      throws IOException {
    // Not splittable: Flink skips the records already read after a restore.
    return createReader(config, stream, fileLen, splitEnd);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<ParsedTelemetry> getProducedType() {
    return TypeInformation.of(ParsedTelemetry.class);
  }

  static Telemetry telemetry(GenericRecord r, long ts) {
    Map<String, Double> metrics = new HashMap<>();
    Object m = r.get("metrics");
    if (m instanceof Map<?, ?> map) {
      map.forEach((k, v) -> metrics.put(k.toString(), ((Number) v).doubleValue()));
    }
    Object seq = r.get("seq");
    Telemetry t = new Telemetry(r.get("deviceId").toString(), ts, (Long) seq, metrics);
    t.setType(string(r, "type"));
    t.setSite(string(r, "site"));
    t.setFirmware(string(r, "firmware"));
    t.setStatus(string(r, "status"));
    t.setSourcePartition(-1);
    t.setSourceOffset(-1);
    return t;
  }

  private static String string(GenericRecord r, String field) {
    Object v = r.get(field);
    return v == null ? null : v.toString();
  }

  /** Parquet's view of a Flink stream of known length. */
  private static final class FlinkInputFile implements InputFile {
    private final FSDataInputStream stream;
    private final long length;

    FlinkInputFile(FSDataInputStream stream, long length) {
      this.stream = stream;
      this.length = length;
    }

    @Override
    public long getLength() {
      return length;
    }

    @Override
    public SeekableInputStream newStream() {
      return new DelegatingSeekableInputStream(stream) {
        @Override
        public long getPos() throws IOException {
          return stream.getPos();
        }

        @Override
        public void seek(long newPos) throws IOException {
          stream.seek(newPos);
        }

        @Override
        public void close() {
          // the file source closes the stream
        }
      };
    }
  }
}
