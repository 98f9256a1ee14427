package io.fleetpulse.jobs.archive;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.Settings;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the archive reaches S3: an endpoint for S3-compatible stores (MinIO, a local server),
 * path-style access, and keys — or, without keys, the default AWS credential chain (environment,
 * profile, instance or pod role).
 *
 * @param endpoint the S3 endpoint, or null for AWS's
 * @param pathStyleAccess {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param accessKey the access key, or null for the default chain
 * @param secretKey the secret key, or null for the default chain
 */
public record ArchiveS3(
    String endpoint, boolean pathStyleAccess, String accessKey, String secretKey)
    implements Serializable {

  public static final ConfigOption<String> ENDPOINT =
      ConfigOption.key("archive.s3.endpoint")
          .stringType()
          .defaultDescribedAs("(AWS)")
          .description("S3 endpoint of an S3-compatible store, e.g. `http://minio:9000`");
  public static final ConfigOption<Boolean> PATH_STYLE_ACCESS =
      ConfigOption.key("archive.s3.path-style-access")
          .booleanType()
          .defaultValue(false)
          .description("path-style requests (`http://host/bucket/key`), as MinIO needs");
  public static final ConfigOption<String> ACCESS_KEY =
      ConfigOption.key("archive.s3.access-key")
          .stringType()
          .defaultDescribedAs("(default AWS chain)")
          .description(
              "S3 access key; without it the default AWS credential chain (environment, profile,"
                  + " instance or pod role)");
  public static final ConfigOption<String> SECRET_KEY =
      ConfigOption.key("archive.s3.secret-key")
          .stringType()
          .defaultDescribedAs("(default AWS chain)")
          .description(
              "S3 secret key, with the access key (from the environment:"
                  + " `FLEETPULSE_ARCHIVE_S3_SECRET_KEY`)");

  /** The S3 settings; fails when only one of the two keys is set. */
  public static ArchiveS3 from(Settings s) {
    String access = blankToNull(s.get(ACCESS_KEY));
    String secret = blankToNull(s.get(SECRET_KEY));
    if ((access == null) != (secret == null)) {
      throw new ConfigException(
          "archive.s3.access-key and archive.s3.secret-key go together: set both, or neither for"
              + " the default AWS credential chain");
    }
    return new ArchiveS3(blankToNull(s.get(ENDPOINT)), s.get(PATH_STYLE_ACCESS), access, secret);
  }

  /**
   * The Flink configuration keys of {@code flink-s3-fs-hadoop} these settings stand for (it passes
   * {@code s3.*} on to Hadoop's S3A as {@code fs.s3a.*}).
   */
  public Map<String, String> flinkKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    if (endpoint != null) {
      keys.put("s3.endpoint", endpoint);
    }
    if (pathStyleAccess) {
      keys.put("s3.path.style.access", "true");
    }
    if (accessKey != null) {
      keys.put("s3.access-key", accessKey);
      keys.put("s3.secret-key", secretKey);
    }
    // A refused request is final; only the network is worth retrying, and not for minutes.
    keys.put("s3.attempts.maximum", "3");
    keys.put("s3.retry.limit", "3");
    return keys;
  }

  @Override
  public String toString() {
    return "ArchiveS3[endpoint="
        + endpoint
        + ", pathStyleAccess="
        + pathStyleAccess
        + ", accessKey="
        + accessKey
        + ", secretKey="
        + (secretKey == null ? null : "***")
        + "]";
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }
}
