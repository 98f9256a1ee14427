package io.fleetpulse.jobs.influx;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.Settings;
import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.Set;

/**
 * Where a job writes InfluxDB points, if anywhere: the sink options, validated at start-up, and
 * whether raw enriched telemetry is written next to the aggregates.
 */
public record InfluxConfig(InfluxDbSinkOptions options, boolean rawPoints) implements Serializable {

  /** The keys InfluxDB settings use. */
  public static final Set<String> KEYS =
      Set.of(
          "influx.url",
          "influx.api",
          "influx.db",
          "influx.rp",
          "influx.user",
          "influx.password",
          "influx.org",
          "influx.bucket",
          "influx.token",
          "influx.batch-size",
          "influx.flush-interval",
          "influx.max-retries",
          "influx.max-in-flight",
          "influx.raw-points");

  /** The InfluxDB settings, or null when {@code influx.url} is not set (no InfluxDB sink). */
  public static InfluxConfig from(Settings s) {
    String url = s.string("influx.url", null);
    if (url == null) {
      return null;
    }
    InfluxDbSinkOptions.ApiVersion api =
        s.enumValue(
            "influx.api", InfluxDbSinkOptions.ApiVersion.class, InfluxDbSinkOptions.ApiVersion.V1);
    InfluxDbSinkOptions.Builder b = InfluxDbSinkOptions.builder().url(url).apiVersion(api);
    if (api == InfluxDbSinkOptions.ApiVersion.V1) {
      b.database(s.requiredString("influx.db"))
          .retentionPolicy(s.string("influx.rp", null))
          .username(s.string("influx.user", null))
          .password(s.string("influx.password", null));
    } else {
      b.org(s.requiredString("influx.org"))
          .bucket(s.requiredString("influx.bucket"))
          .token(s.requiredString("influx.token"));
    }
    b.batchSize(s.positiveInt("influx.batch-size", 5_000))
        .flushInterval(s.positiveDuration("influx.flush-interval", Duration.ofSeconds(1)))
        .maxRetries(s.intValue("influx.max-retries", 10))
        .maxInFlightRequests(s.positiveInt("influx.max-in-flight", 2));
    try {
      return new InfluxConfig(b.build(), s.bool("influx.raw-points", false));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid InfluxDB settings (influx.*): " + e.getMessage());
    }
  }
}
