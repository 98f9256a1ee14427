package io.fleetpulse.jobs.influx;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions.ApiVersion;
import java.io.Serializable;
import java.time.Duration;

/**
 * Where a job writes InfluxDB points, if anywhere: the sink options, validated at start-up, and
 * whether raw enriched telemetry is written next to the aggregates.
 */
public record InfluxConfig(InfluxDbSinkOptions options, boolean rawPoints) implements Serializable {

  public static final ConfigOption<String> URL =
      ConfigOption.key("influx.url")
          .stringType()
          .defaultDescribedAs("(off)")
          .description("InfluxDB base URL; without it nothing is written to InfluxDB");
  public static final ConfigOption<ApiVersion> API =
      ConfigOption.key("influx.api")
          .enumType(ApiVersion.class)
          .defaultValue(ApiVersion.V1)
          .description(
              "`V1` (`/write`, InfluxDB 1.x and the 1.x API of 2.x/3.x) or `V2` (`/api/v2/write`)");
  public static final ConfigOption<String> DB =
      ConfigOption.key("influx.db").stringType().description("V1 database (required for V1)");
  public static final ConfigOption<String> RP =
      ConfigOption.key("influx.rp")
          .stringType()
          .description("V1 retention policy (the database's default when unset)");
  public static final ConfigOption<String> USER =
      ConfigOption.key("influx.user").stringType().description("V1 user");
  public static final ConfigOption<String> PASSWORD =
      ConfigOption.key("influx.password").stringType().description("V1 password");
  public static final ConfigOption<String> ORG =
      ConfigOption.key("influx.org")
          .stringType()
          .description("V2 organization (none for InfluxDB 3)");
  public static final ConfigOption<String> BUCKET =
      ConfigOption.key("influx.bucket").stringType().description("V2 bucket (required for V2)");
  public static final ConfigOption<String> TOKEN =
      ConfigOption.key("influx.token").stringType().description("V2 API token");
  public static final ConfigOption<Integer> BATCH_SIZE =
      ConfigOption.key("influx.batch-size")
          .intType()
          .positive()
          .defaultValue(InfluxDbSinkOptions.DEFAULT_BATCH_SIZE)
          .description("points per write request");
  public static final ConfigOption<Duration> FLUSH_INTERVAL =
      ConfigOption.key("influx.flush-interval")
          .durationType()
          .positive()
          .defaultValue(InfluxDbSinkOptions.DEFAULT_FLUSH_INTERVAL)
          .description("longest wait of a point in a partial batch");
  public static final ConfigOption<Integer> MAX_RETRIES =
      ConfigOption.key("influx.max-retries")
          .intType()
          .nonNegative()
          .defaultValue(InfluxDbSinkOptions.DEFAULT_MAX_RETRIES)
          .description("retries of a failed write (backoff, `Retry-After`) before the job fails");
  public static final ConfigOption<Integer> MAX_IN_FLIGHT =
      ConfigOption.key("influx.max-in-flight")
          .intType()
          .positive()
          .defaultValue(InfluxDbSinkOptions.DEFAULT_MAX_IN_FLIGHT_REQUESTS)
          .description("write requests on the wire at once per sink writer");
  public static final ConfigOption<Boolean> RAW_POINTS =
      ConfigOption.key("influx.raw-points")
          .booleanType()
          .defaultValue(false)
          .description("also write every accepted message to `telemetry`");

  /** Every InfluxDB option of a job. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(URL, API, DB, RP, USER, PASSWORD, ORG, BUCKET, TOKEN)
          .add(BATCH_SIZE, FLUSH_INTERVAL, MAX_RETRIES, MAX_IN_FLIGHT, RAW_POINTS)
          .build();

  /** The InfluxDB settings, or null when {@code influx.url} is not set (no InfluxDB sink). */
  public static InfluxConfig from(Settings s) {
    String url = s.get(URL);
    if (url == null) {
      return null;
    }
    ApiVersion api = s.get(API);
    ConfigOption<String> needed = api == ApiVersion.V1 ? DB : BUCKET;
    if (s.get(needed) == null || s.get(needed).isBlank()) {
      throw new ConfigException(
          "missing required setting '"
              + needed.key()
              + "' (influx.url is set, influx.api="
              + api
              + ")");
    }
    InfluxDbSinkOptions.Builder b = InfluxDbSinkOptions.builder().url(url).apiVersion(api);
    if (api == ApiVersion.V1) {
      b.database(s.get(DB)).retentionPolicy(s.get(RP)).username(s.get(USER));
      b.password(s.get(PASSWORD));
    } else {
      b.org(s.get(ORG)).bucket(s.get(BUCKET)).token(s.get(TOKEN));
    }
    b.batchSize(s.get(BATCH_SIZE))
        .flushInterval(s.get(FLUSH_INTERVAL))
        .maxRetries(s.get(MAX_RETRIES))
        .maxInFlightRequests(s.get(MAX_IN_FLIGHT));
    try {
      return new InfluxConfig(b.build(), s.get(RAW_POINTS));
    } catch (IllegalArgumentException e) {
      // The sink's options name every wrong setting at once.
      throw new ConfigException("invalid InfluxDB settings (influx.*): " + e.getMessage());
    }
  }
}
