package io.fleetpulse.jobs.archive;

import java.util.Locale;

/**
 * Turns what S3A throws into what a person can act on. The exceptions come from the plugin's own
 * class loader (and its AWS SDK), so they are recognised by their messages, not their types.
 */
final class S3Problems {

  private S3Problems() {}

  static String explain(ArchiveConfig config, Throwable error) {
    String all = chain(error);
    String lower = all.toLowerCase(Locale.ROOT);
    if (!config.onS3()) {
      return all;
    }
    String bucket = config.uri().getHost();
    String where = config.s3().endpoint() == null ? "AWS" : "endpoint " + config.s3().endpoint();
    if (lower.contains("nosuchbucket")
        || lower.contains("bucket does not exist")
        || lower.contains("specified bucket does not exist")) {
      return "the bucket '" + bucket + "' does not exist (" + where + ")";
    }
    if (lower.contains("invalidaccesskeyid")
        || lower.contains("signaturedoesnotmatch")
        || lower.contains("accessdenied")
        || lower.contains("access denied")
        || lower.contains("status code: 403")
        || lower.contains("forbidden")
        || lower.contains("no aws credentials")
        || lower.contains("unable to load aws credentials")) {
      String keys =
          config.s3().accessKey() == null
              ? "the default AWS credential chain (no archive.s3.access-key set)"
              : "archive.s3.access-key '" + config.s3().accessKey() + "'";
      return "S3 ("
          + where
          + ") refused the credentials of "
          + keys
          + " for bucket '"
          + bucket
          + "': "
          + firstLine(all);
    }
    return firstLine(all);
  }

  private static String chain(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (text.length() > 0) {
        text.append(" <- ");
      }
      text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    return text.toString();
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return line.length() > 600 ? line.substring(0, 600) + "..." : line;
  }
}
