package io.fleetpulse.jobs.kinesis;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and how the TelemetryJob reads raw telemetry from Kinesis ({@code source=KINESIS}).
 *
 * @param stream the stream's name or ARN
 * @param region the AWS region
 * @param endpoint an endpoint override (a local Kinesis, a VPC endpoint), or null
 * @param initialPosition where a job without state starts reading
 * @param initialTimestamp for {@code AT_TIMESTAMP}, else null
 * @param accessKey the access key, or null for the default AWS credential chain
 * @param secretKey the secret key, or null for the default AWS credential chain
 */
public record KinesisSourceConfig(
    String stream,
    String region,
    String endpoint,
    InitialPosition initialPosition,
    Instant initialTimestamp,
    String accessKey,
    String secretKey)
    implements Serializable {

  /** Where a job without state starts reading a stream. */
  public enum InitialPosition {
    LATEST,
    TRIM_HORIZON,
    AT_TIMESTAMP
  }

  public static final ConfigOption<TelemetrySource> SOURCE =
      ConfigOption.key("source")
          .enumType(TelemetrySource.class)
          .defaultValue(TelemetrySource.KAFKA)
          .description(
              "where raw telemetry comes from: `KAFKA` (`topic.telemetry.raw`) or `KINESIS`"
                  + " (`kinesis.*`, e.g. an AWS IoT Core rule's Kinesis action)");
  public static final ConfigOption<String> STREAM =
      ConfigOption.key("kinesis.stream")
          .stringType()
          .description("Kinesis stream name or ARN (required with `source=KINESIS`)");
  public static final ConfigOption<String> REGION =
      ConfigOption.key("kinesis.region")
          .stringType()
          .description("AWS region of the stream, e.g. `eu-west-1` (required with `KINESIS`)");
  public static final ConfigOption<String> ENDPOINT =
      ConfigOption.key("kinesis.endpoint")
          .stringType()
          .defaultDescribedAs("(AWS)")
          .description("endpoint override, e.g. a VPC endpoint or a local Kinesis");
  public static final ConfigOption<InitialPosition> INITIAL_POSITION =
      ConfigOption.key("kinesis.initial-position")
          .enumType(InitialPosition.class)
          .defaultValue(InitialPosition.LATEST)
          .description(
              "where a job without state starts: `LATEST`, `TRIM_HORIZON` (the oldest record"
                  + " kept) or `AT_TIMESTAMP` (`kinesis.initial-timestamp`); a restored job"
                  + " continues from its checkpoint");
  public static final ConfigOption<String> INITIAL_TIMESTAMP =
      ConfigOption.key("kinesis.initial-timestamp")
          .stringType()
          .description("ISO-8601 instant for `AT_TIMESTAMP`, e.g. `2026-12-01T00:00:00Z`");
  public static final ConfigOption<String> ACCESS_KEY =
      ConfigOption.key("kinesis.access-key")
          .stringType()
          .defaultDescribedAs("(default AWS chain)")
          .description(
              "AWS access key; without it the default AWS credential chain (environment, profile,"
                  + " instance or pod role)");
  public static final ConfigOption<String> SECRET_KEY =
      ConfigOption.key("kinesis.secret-key")
          .stringType()
          .defaultDescribedAs("(default AWS chain)")
          .description(
              "AWS secret key, with the access key (from the environment:"
                  + " `FLEETPULSE_KINESIS_SECRET_KEY`)");

  /** The source options. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(SOURCE, STREAM, REGION, ENDPOINT, INITIAL_POSITION, INITIAL_TIMESTAMP)
          .add(ACCESS_KEY, SECRET_KEY)
          .build();

  /** The Kinesis settings, or null with {@code source=KAFKA}; fails naming every bad setting. */
  public static KinesisSourceConfig from(Settings s) {
    if (s.get(SOURCE) != TelemetrySource.KINESIS) {
      return null;
    }
    List<String> problems = new ArrayList<>();
    String stream = blankToNull(s.get(STREAM));
    String region = blankToNull(s.get(REGION));
    if (stream == null) {
      problems.add("kinesis.stream is required with source=KINESIS");
    }
    if (region == null) {
      problems.add("kinesis.region is required with source=KINESIS");
    }
    InitialPosition position = s.get(INITIAL_POSITION);
    String ts = blankToNull(s.get(INITIAL_TIMESTAMP));
    Instant timestamp = null;
    if (position == InitialPosition.AT_TIMESTAMP && ts == null) {
      problems.add("kinesis.initial-position=AT_TIMESTAMP needs kinesis.initial-timestamp");
    } else if (position != InitialPosition.AT_TIMESTAMP && ts != null) {
      problems.add("kinesis.initial-timestamp is set but kinesis.initial-position is " + position);
    } else if (ts != null) {
      try {
        timestamp = Instant.parse(ts);
      } catch (DateTimeParseException e) {
        problems.add("kinesis.initial-timestamp '" + ts + "' is not an ISO-8601 instant");
      }
    }
    String access = blankToNull(s.get(ACCESS_KEY));
    String secret = blankToNull(s.get(SECRET_KEY));
    if ((access == null) != (secret == null)) {
      problems.add(
          "kinesis.access-key and kinesis.secret-key go together: set both, or neither for the"
              + " default AWS credential chain");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
    return new KinesisSourceConfig(
        stream, region, blankToNull(s.get(ENDPOINT)), position, timestamp, access, secret);
  }

  /** The stream's name: the last part of an ARN, or the name as given. */
  public String streamName() {
    return stream.startsWith("arn:") ? stream.substring(stream.lastIndexOf('/') + 1) : stream;
  }

  @Override
  public String toString() {
    return "KinesisSourceConfig[stream="
        + stream
        + ", region="
        + region
        + ", endpoint="
        + endpoint
        + ", initialPosition="
        + initialPosition
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
