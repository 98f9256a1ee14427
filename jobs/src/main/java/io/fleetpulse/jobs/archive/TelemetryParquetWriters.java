package io.fleetpulse.jobs.archive;

import io.fleetpulse.model.Telemetry;
import java.io.IOException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes telemetry as Parquet: each record becomes an {@link ArchiveRecords} row inside the writer,
 * so no Avro type crosses a Flink network boundary (and no Kryo is needed).
 */
public final class TelemetryParquetWriters implements BulkWriter.Factory<Telemetry> {

  private static final long serialVersionUID = 1L;

  private final ParquetWriterFactory<GenericRecord> parquet;

  /** Parquet files compressed with {@code codec}. */
  public TelemetryParquetWriters(CompressionCodecName codec) {
    String schema = ArchiveRecords.SCHEMA.toString();
    this.parquet =
        new ParquetWriterFactory<>(
            out ->
                AvroParquetWriter.<GenericRecord>builder(out)
                    .withSchema(new org.apache.avro.Schema.Parser().parse(schema))
                    .withDataModel(GenericData.get())
                    .withCompressionCodec(codec)
                    .build());
  }

  @Override
  public BulkWriter<Telemetry> create(FSDataOutputStream out) throws IOException {
    BulkWriter<GenericRecord> writer = parquet.create(out);
    return new BulkWriter<>() {
      @Override
      public void addElement(Telemetry element) throws IOException {
        writer.addElement(ArchiveRecords.toRecord(element));
      }

      @Override
      public void flush() throws IOException {
        writer.flush();
      }

      @Override
      public void finish() throws IOException {
        writer.finish();
      }
    };
  }
}
