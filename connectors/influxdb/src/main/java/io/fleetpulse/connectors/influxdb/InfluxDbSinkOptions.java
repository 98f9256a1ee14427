package io.fleetpulse.connectors.influxdb;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/** Every setting of the InfluxDB sink: where to write, how to batch, how to retry. */
public final class InfluxDbSinkOptions implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_BATCH_SIZE = 5_000;
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 2;
  public static final int DEFAULT_MAX_RETRIES = 10;

  /** Which InfluxDB write API the sink speaks. */
  public enum ApiVersion {
    /** {@code /write?db=&rp=} with user and password: InfluxDB 1.x and 2.x/3.x compatibility. */
    V1,
    /** {@code /api/v2/write?org=&bucket=} with a token: InfluxDB 2.x, 3.x and 1.8+. */
    V2
  }

  private final URI url;
  private final ApiVersion apiVersion;
  private final String database;
  private final String retentionPolicy;
  private final String username;
  private final String password;
  private final String token;
  private final String org;
  private final String bucket;
  private final int batchSize;
  private final Duration flushInterval;
  private final int maxInFlightRequests;
  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration requestTimeout;

  private InfluxDbSinkOptions(Builder b) {
    this.url = b.url;
    this.apiVersion = b.apiVersion;
    this.database = b.database;
    this.retentionPolicy = b.retentionPolicy;
    this.username = b.username;
    this.password = b.password;
    this.token = b.token;
    this.org = b.org;
    this.bucket = b.bucket;
    this.batchSize = b.batchSize;
    this.flushInterval = b.flushInterval;
    this.maxInFlightRequests = b.maxInFlightRequests;
    this.maxRetries = b.maxRetries;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.requestTimeout = b.requestTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Base URL of the server, e.g. {@code http://localhost:8086}. */
  public URI url() {
    return url;
  }

  public ApiVersion apiVersion() {
    return apiVersion;
  }

  /** v1 database. */
  public String database() {
    return database;
  }

  /** v1 retention policy, or null for the database's default. */
  public String retentionPolicy() {
    return retentionPolicy;
  }

  /** v1 user, or null when the server has no authentication. */
  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  /** v2 API token, or null when the server needs none. */
  public String token() {
    return token;
  }

  /** v2 organization, or null where the server has none (InfluxDB 3). */
  public String org() {
    return org;
  }

  /** v2 bucket. */
  public String bucket() {
    return bucket;
  }

  /** Points per write request; a full batch is sent at once. */
  public int batchSize() {
    return batchSize;
  }

  /** Longest time a point waits in a partial batch before it is sent. */
  public Duration flushInterval() {
    return flushInterval;
  }

  /** Write requests on the wire at once per writer; more input waits (backpressure). */
  public int maxInFlightRequests() {
    return maxInFlightRequests;
  }

  /** Retries of one request on 429, 5xx or a network error before the job fails. */
  public int maxRetries() {
    return maxRetries;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public String toString() {
    return "InfluxDbSinkOptions{url="
        + url
        + ", apiVersion="
        + apiVersion
        + (apiVersion == ApiVersion.V1
            ? ", database="
                + database
                + ", retentionPolicy="
                + retentionPolicy
                + ", username="
                + username
            : ", org=" + org + ", bucket=" + bucket)
        + ", batchSize="
        + batchSize
        + ", flushInterval="
        + flushInterval
        + ", maxInFlightRequests="
        + maxInFlightRequests
        + ", maxRetries="
        + maxRetries
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", requestTimeout="
        + requestTimeout
        + '}';
  }

  /** Builds validated options; the defaults suit one InfluxDB on a local network. */
  public static final class Builder {
    private URI url;
    private ApiVersion apiVersion = ApiVersion.V1;
    private String database;
    private String retentionPolicy;
    private String username;
    private String password;
    private String token;
    private String org;
    private String bucket;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder() {}

    public Builder url(String url) {
      this.url = URI.create(Objects.requireNonNull(url, "url").replaceAll("/+$", ""));
      return this;
    }

    public Builder apiVersion(ApiVersion apiVersion) {
      this.apiVersion = Objects.requireNonNull(apiVersion, "apiVersion");
      return this;
    }

    /** Speaks the v1 API to {@code database} (with its default retention policy). */
    public Builder v1(String database) {
      this.apiVersion = ApiVersion.V1;
      this.database = database;
      return this;
    }

    /** Speaks the v2 API to {@code bucket} of {@code org}, authenticated by {@code token}. */
    public Builder v2(String org, String bucket, String token) {
      this.apiVersion = ApiVersion.V2;
      this.org = org;
      this.bucket = bucket;
      this.token = token;
      return this;
    }

    public Builder database(String database) {
      this.database = database;
      return this;
    }

    public Builder retentionPolicy(String retentionPolicy) {
      this.retentionPolicy = retentionPolicy;
      return this;
    }

    public Builder username(String username) {
      this.username = username;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public Builder token(String token) {
      this.token = token;
      return this;
    }

    public Builder org(String org) {
      this.org = org;
      return this;
    }

    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    public Builder maxInFlightRequests(int maxInFlightRequests) {
      this.maxInFlightRequests = maxInFlightRequests;
      return this;
    }

    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
      return this;
    }

    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** The options, or an {@link IllegalArgumentException} naming every setting that is wrong. */
    public InfluxDbSinkOptions build() {
      StringBuilder errors = new StringBuilder();
      if (url == null) {
        errors.append("; url is required");
      } else if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        errors.append("; url must be http or https: ").append(url);
      }
      if (apiVersion == ApiVersion.V1 && blank(database)) {
        errors.append("; database is required for the v1 API");
      }
      if (apiVersion == ApiVersion.V1 && !blank(username) && password == null) {
        errors.append("; password is required with username");
      }
      if (apiVersion == ApiVersion.V2 && blank(bucket)) {
        errors.append("; bucket is required for the v2 API");
      }
      if (batchSize < 1) {
        errors.append("; batchSize must be at least 1: ").append(batchSize);
      }
      if (maxInFlightRequests < 1) {
        errors.append("; maxInFlightRequests must be at least 1: ").append(maxInFlightRequests);
      }
      if (maxRetries < 0) {
        errors.append("; maxRetries must not be negative: ").append(maxRetries);
      }
      positive(errors, "flushInterval", flushInterval);
      positive(errors, "initialBackoff", initialBackoff);
      positive(errors, "maxBackoff", maxBackoff);
      positive(errors, "requestTimeout", requestTimeout);
      if (errors.length() > 0) {
        throw new IllegalArgumentException("invalid InfluxDB sink options: " + errors.substring(2));
      }
      return new InfluxDbSinkOptions(this);
    }

    private static boolean blank(String s) {
      return s == null || s.isBlank();
    }

    private static void positive(StringBuilder errors, String name, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        errors.append("; ").append(name).append(" must be positive: ").append(value);
      }
    }
  }
}
