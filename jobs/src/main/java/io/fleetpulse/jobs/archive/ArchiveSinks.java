package io.fleetpulse.jobs.archive;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.model.Telemetry;
import java.io.IOException;
import java.net.URI;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
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
   * Fails at start-up, naming the target, when it cannot be written (no file system for the scheme,
   * a folder that cannot be created), instead of at the first checkpoint.
   */
  public static void checkTarget(ArchiveConfig config) {
    URI uri = config.uri();
    try {
      Path path = new Path(uri);
      FileSystem fs = path.getFileSystem();
      if (!fs.exists(path) && !fs.mkdirs(path)) {
        throw new ConfigException("archive.path " + uri + " cannot be created");
      }
    } catch (IOException e) {
      throw new ConfigException("archive.path " + uri + " cannot be written: " + e.getMessage(), e);
    }
  }
}
