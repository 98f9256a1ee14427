package io.fleetpulse.jobs.tiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.jobs.influx.InfluxConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The setup command of the storage tiers: makes the warm store (InfluxDB 1.x) keep what the job
 * writes for {@code influx.retention}, and prints the cold archive's S3 lifecycle (to an
 * infrequent-access class, then expiry) as the JSON AWS and MinIO take, with the commands that
 * apply it. Run it once, and again after changing a period: it is idempotent.
 */
public final class StorageTiers {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static final ConfigOption<Duration> RETENTION =
      ConfigOption.key("influx.retention")
          .durationType()
          .positive()
          .defaultValue(Duration.ofDays(30))
          .description(
              "how long InfluxDB keeps points: the duration of `influx.rp` (or of the database's"
                  + " default policy when unset)");
  public static final ConfigOption<String> ARCHIVE_PATH =
      ConfigOption.key("archive.path")
          .stringType()
          .defaultDescribedAs("(no lifecycle)")
          .description("the archive, `s3://bucket/prefix`: its lifecycle is printed");
  public static final ConfigOption<Duration> INFREQUENT_AFTER =
      ConfigOption.key("archive.lifecycle.infrequent-access-after")
          .durationType()
          .positive()
          .defaultValue(Duration.ofDays(90))
          .description("objects move to `STANDARD_IA` this long after they were written");
  public static final ConfigOption<Duration> EXPIRE_AFTER =
      ConfigOption.key("archive.lifecycle.expire-after")
          .durationType()
          .positive()
          .defaultDescribedAs("(never)")
          .description("objects are deleted this long after they were written");

  /** The command's options. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(InfluxConfig.URL, InfluxConfig.DB, InfluxConfig.RP)
          .add(InfluxConfig.USER, InfluxConfig.PASSWORD, RETENTION)
          .add(ARCHIVE_PATH, INFREQUENT_AFTER, EXPIRE_AFTER)
          .build();

  private StorageTiers() {}

  /** Applies the InfluxDB retention and prints the archive lifecycle. */
  public static void main(String[] args) {
    Settings s = Settings.load(args, System.getenv(), OPTIONS);
    String url = s.get(InfluxConfig.URL);
    if (url != null && !url.isBlank()) {
      String db = s.get(InfluxConfig.DB);
      if (db == null || db.isBlank()) {
        throw new ConfigException("influx.db is required with influx.url");
      }
      String rp =
          applyRetention(
              url,
              db,
              s.get(InfluxConfig.RP),
              s.get(RETENTION),
              s.get(InfluxConfig.USER),
              s.get(InfluxConfig.PASSWORD));
      System.out.println(
          "InfluxDB "
              + url
              + ": database '"
              + db
              + "', policy '"
              + rp
              + "' keeps "
              + s.get(RETENTION));
    }
    String archive = s.get(ARCHIVE_PATH);
    if (archive != null && archive.startsWith("s3")) {
      URI uri = URI.create(archive);
      String prefix = uri.getPath().replaceFirst("^/", "");
      String lifecycle = lifecycleJson(prefix, s.get(INFREQUENT_AFTER), s.get(EXPIRE_AFTER));
      System.out.println("S3 lifecycle of s3://" + uri.getHost() + "/" + prefix + ":");
      System.out.println(lifecycle);
      System.out.println("Apply it with (AWS, saved as lifecycle.json):");
      System.out.println(
          "  aws s3api put-bucket-lifecycle-configuration --bucket "
              + uri.getHost()
              + " --lifecycle-configuration file://lifecycle.json");
      System.out.println("or (MinIO, which has no STANDARD_IA: tier to a remote tier you added):");
      System.out.println("  mc ilm import ALIAS/" + uri.getHost() + " < lifecycle.json");
    }
  }

  /**
   * Makes {@code rp} on {@code db} keep {@code retention} (creating the database and the policy if
   * missing); with no {@code rp}, changes the database's default policy. Returns the policy's name.
   * Shards already written keep their old end; InfluxDB drops them when they expire.
   */
  public static String applyRetention(
      String url, String db, String rp, Duration retention, String user, String password) {
    InfluxQl influx = new InfluxQl(url, user, password);
    influx.run(null, "CREATE DATABASE " + ident(db));
    String policy = rp;
    boolean exists = false;
    for (JsonNode row : influx.rows(db, "SHOW RETENTION POLICIES ON " + ident(db))) {
      String name = row.get(0).asText();
      boolean isDefault = row.get(row.size() - 1).asBoolean();
      if ((rp == null || rp.isBlank()) && isDefault) {
        policy = name;
      }
      if (name.equals(policy)) {
        exists = true;
      }
    }
    String duration = (retention.toSeconds() / 3600) + "h";
    if (exists) {
      influx.run(
          db,
          "ALTER RETENTION POLICY " + ident(policy) + " ON " + ident(db) + " DURATION " + duration);
    } else {
      influx.run(
          db,
          "CREATE RETENTION POLICY "
              + ident(policy)
              + " ON "
              + ident(db)
              + " DURATION "
              + duration
              + " REPLICATION 1");
    }
    return policy;
  }

  /**
   * The S3 lifecycle configuration (the JSON of {@code put-bucket-lifecycle-configuration}):
   * objects under {@code prefix} to {@code STANDARD_IA} after {@code infrequentAfter}, deleted
   * after {@code expireAfter} (null: never); unfinished multipart uploads (a failed job's
   * in-progress files) aborted after 7 days.
   */
  public static String lifecycleJson(
      String prefix, Duration infrequentAfter, Duration expireAfter) {
    if (expireAfter != null && expireAfter.compareTo(infrequentAfter) <= 0) {
      throw new ConfigException(
          "archive.lifecycle.expire-after ("
              + expireAfter
              + ") must be after archive.lifecycle.infrequent-access-after ("
              + infrequentAfter
              + ")");
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode rules = root.putArray("Rules");
    ObjectNode rule = rules.addObject();
    rule.put("ID", "fleetpulse-archive");
    rule.put("Status", "Enabled");
    rule.putObject("Filter").put("Prefix", prefix.isEmpty() ? "" : prefix + "/");
    rule.putArray("Transitions")
        .addObject()
        .put("Days", infrequentAfter.toDays())
        .put("StorageClass", "STANDARD_IA");
    if (expireAfter != null) {
      rule.putObject("Expiration").put("Days", expireAfter.toDays());
    }
    rule.putObject("AbortIncompleteMultipartUpload").put("DaysAfterInitiation", 7);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String ident(String name) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** InfluxQL over the 1.x {@code /query} endpoint. */
  private static final class InfluxQl {
    private final String url;
    private final String auth;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    InfluxQl(String url, String user, String password) {
      this.url = url.replaceAll("/+$", "");
      this.auth =
          user == null || user.isBlank()
              ? null
              : "Basic "
                  + Base64.getEncoder()
                      .encodeToString(
                          (user + ":" + (password == null ? "" : password))
                              .getBytes(StandardCharsets.UTF_8));
    }

    JsonNode run(String db, String statement) {
      String form =
          "q="
              + URLEncoder.encode(statement, StandardCharsets.UTF_8)
              + (db == null ? "" : "&db=" + URLEncoder.encode(db, StandardCharsets.UTF_8));
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(url + "/query"))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form));
      if (auth != null) {
        request.header("Authorization", auth);
      }
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
        String error =
            body.path("error").asText(body.path("results").path(0).path("error").asText(""));
        if (response.statusCode() / 100 != 2 || !error.isEmpty()) {
          throw new ConfigException(
              "InfluxDB "
                  + url
                  + " refused `"
                  + statement
                  + "`: "
                  + response.statusCode()
                  + " "
                  + error);
        }
        return body;
      } catch (IOException e) {
        throw new ConfigException("InfluxDB " + url + " cannot be reached: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    Iterable<JsonNode> rows(String db, String statement) {
      return run(db, statement).path("results").path(0).path("series").path(0).path("values");
    }
  }
}
