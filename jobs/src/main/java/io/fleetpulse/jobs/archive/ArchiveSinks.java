package io.fleetpulse.jobs.archive;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.model.Telemetry;
import java.io.IOException;
import java.net.URI;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;

/** The Parquet archive of enriched telemetry: exactly once, committed on checkpoints. */
public final class ArchiveSinks {

  private ArchiveSinks() {}

  /**
   * A file sink writing {@code config}'s target. Files appear under their partition only when a
   * checkpoint commits them; until then they are hidden in-progress files, so a reader never sees a
   * partial or a duplicate file, also across a failure and restore.
   */
  public static FileSink<Telemetry> parquet(ArchiveConfig config) {
    return FileSink.forBulkFormat(
            new Path(config.uri()), new TelemetryParquetWriters(config.codec()))
        .withBucketAssigner(new EventTimeBuckets())
        .withRollingPolicy(
            new SizeOrTimeRollingPolicy(
                config.maxFileBytes(), config.rolloverInterval().toMillis()))
        .withOutputFileConfig(
            OutputFileConfig.builder()
                .withPartPrefix("telemetry")
                .withPartSuffix(".parquet")
                .build())
        .build();
  }

  /**
   * Fails at start-up, naming the target and the problem, when it cannot be written — no file
   * system for the scheme, a folder that cannot be created, a missing bucket, refused credentials —
   * instead of at the first checkpoint. On S3 it writes and deletes a small probe object: only a
   * write shows that the keys may write there.
   */
  public static void checkTarget(ArchiveConfig config) {
    URI uri = config.uri();
    try {
      Path path = new Path(uri);
      FileSystem fs = path.getFileSystem();
      if (config.onS3()) {
        Path probe = new Path(path, ".fleetpulse-write-check-" + java.util.UUID.randomUUID());
        try (FSDataOutputStream out = fs.create(probe, FileSystem.WriteMode.OVERWRITE)) {
          out.write('.');
        }
        fs.delete(probe, false);
        fs.createRecoverableWriter();
      } else if (!fs.exists(path) && !fs.mkdirs(path)) {
        throw new ConfigException("archive.path " + uri + " cannot be created");
      }
    } catch (UnsupportedFileSystemSchemeException e) {
      throw new ConfigException(
          "archive.path "
              + uri
              + ": no Flink file system for '"
              + uri.getScheme()
              + "'"
              + (config.onS3()
                  ? " — put flink-s3-fs-hadoop in the Flink plugins folder"
                      + " (plugins/s3-fs-hadoop/)"
                  : ""),
          e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException c) {
        throw c;
      }
      throw new ConfigException(
          "archive.path " + uri + " cannot be written: " + S3Problems.explain(config, e), e);
    }
  }
}
