package io.fleetpulse.jobs.archive;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** Where and how the Parquet archive is written, if at all. */
public record ArchiveConfig(
    URI uri, CompressionCodecName codec, long maxFileBytes, Duration rolloverInterval, ArchiveS3 s3)
    implements Serializable {

  /** The codecs offered: what the archive is tested with. */
  public enum Codec {
    SNAPPY,
    ZSTD,
    GZIP,
    UNCOMPRESSED
  }

  public static final ConfigOption<String> PATH =
      ConfigOption.key("archive.path")
          .stringType()
          .defaultDescribedAs("(off)")
          .description(
              "Parquet archive of enriched telemetry: `file:///var/fleetpulse/archive` or"
                  + " `s3://bucket/prefix` (the `flink-s3-fs-hadoop` plugin; see `archive.s3.*`)");
  public static final ConfigOption<Codec> COMPRESSION =
      ConfigOption.key("archive.compression")
          .enumType(Codec.class)
          .defaultValue(Codec.SNAPPY)
          .description(
              "`SNAPPY` (fast), `ZSTD` (smaller files, a little more CPU), `GZIP` or"
                  + " `UNCOMPRESSED`");
  public static final ConfigOption<Integer> MAX_FILE_MB =
      ConfigOption.key("archive.max-file-mb")
          .intType()
          .positive()
          .defaultValue(128)
          .description("a part file rolls at this size (it also rolls on every checkpoint)");
  public static final ConfigOption<Duration> ROLLOVER =
      ConfigOption.key("archive.rollover-interval")
          .durationType()
          .positive()
          .defaultValue(Duration.ofMinutes(15))
          .description("a part file rolls at this age");

  /** The archive options. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(PATH, COMPRESSION, MAX_FILE_MB, ROLLOVER)
          .add(
              ArchiveS3.ENDPOINT,
              ArchiveS3.PATH_STYLE_ACCESS,
              ArchiveS3.ACCESS_KEY,
              ArchiveS3.SECRET_KEY)
          .build();

  /** The archive settings, or null when {@code archive.path} is not set. */
  public static ArchiveConfig from(Settings s) {
    String path = s.get(PATH);
    if (path == null || path.isBlank()) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(path.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException("setting 'archive.path' is not a URI: " + e.getMessage());
    }
    if (uri.getScheme() == null) {
      throw new ConfigException(
          "setting 'archive.path' (" + path + ") needs a scheme: file:///... or s3://...");
    }
    return new ArchiveConfig(
        uri,
        CompressionCodecName.valueOf(s.get(COMPRESSION).name()),
        s.get(MAX_FILE_MB) * 1024L * 1024L,
        s.get(ROLLOVER),
        ArchiveS3.from(s));
  }

  /** Whether the target is on S3 (any of Flink's S3 schemes). */
  public boolean onS3() {
    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    return scheme.equals("s3") || scheme.equals("s3a") || scheme.equals("s3p");
  }
}
