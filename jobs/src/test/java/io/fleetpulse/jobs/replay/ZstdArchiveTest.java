package io.fleetpulse.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.archive.TelemetryParquetWriters;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.model.Telemetry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An archive file written with {@code archive.compression=ZSTD} reads back, by DuckDB and us. */
class ZstdArchiveTest {

  @TempDir Path dir;

  @Test
  void aZstdFileIsZstdAndReadsBackRowForRow() throws Exception {
    List<Telemetry> written = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Telemetry t =
          new Telemetry(
              "z-" + (i % 7),
              1_764_331_200_000L + i * 1_000L,
              (long) i,
              new HashMap<>(Map.of("temperature", 20.0 + i % 5, "battery", 80.0)));
      t.setSite("plant-" + (i % 2));
      written.add(t);
    }
    org.apache.flink.core.fs.Path file =
        new org.apache.flink.core.fs.Path(dir.resolve("part-0.parquet").toUri());
    FileSystem fs = FileSystem.getLocalFileSystem();
    try (FSDataOutputStream out = fs.create(file, FileSystem.WriteMode.OVERWRITE)) {
      BulkWriter<Telemetry> writer =
          new TelemetryParquetWriters(CompressionCodecName.ZSTD).create(out);
      for (Telemetry t : written) {
        writer.addElement(t);
      }
      writer.finish();
    }

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      String parquet = "'" + dir.resolve("part-0.parquet") + "'";
      try (ResultSet rs =
          st.executeQuery("SELECT DISTINCT compression FROM parquet_metadata(" + parquet + ")")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("ZSTD");
        assertThat(rs.next()).as("one codec for every column").isFalse();
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*), sum(map_extract(metrics, 'temperature')[1]) FROM " + parquet)) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(500);
        assertThat(rs.getDouble(2))
            .isEqualTo(written.stream().mapToDouble(t -> t.getMetrics().get("temperature")).sum());
      }
    }

    List<Telemetry> read = new ArrayList<>();
    ArchiveTelemetryFormat format = new ArchiveTelemetryFormat(Long.MIN_VALUE, Long.MAX_VALUE);
    long length = fs.getFileStatus(file).getLen();
    try (StreamFormat.Reader<ParsedTelemetry> reader =
        format.createReader(new Configuration(), fs.open(file), length, length)) {
      for (ParsedTelemetry p = reader.read(); p != null; p = reader.read()) {
        read.add(p.getTelemetry());
      }
    }
    assertThat(read)
        .extracting(Telemetry::getDeviceId, Telemetry::getTs, Telemetry::getMetrics)
        .containsExactlyElementsOf(
            written.stream()
                .map(
                    t ->
                        org.assertj.core.groups.Tuple.tuple(
                            t.getDeviceId(), t.getTs(), t.getMetrics()))
                .toList());
    assertThat(read)
        .extracting(Telemetry::getSite)
        .containsExactlyElementsOf(written.stream().map(Telemetry::getSite).toList());
  }
}
