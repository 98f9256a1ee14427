package io.fleetpulse.jobs.kinesis;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import java.net.URI;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kinesis.source.KinesisStreamsSource;
import org.apache.flink.connector.kinesis.source.config.KinesisStreamsSourceConfigConstants;
import org.apache.flink.kinesis.shaded.org.apache.flink.connector.aws.util.AWSClientUtil;
import org.apache.flink.kinesis.shaded.org.apache.flink.connector.aws.util.AWSGeneralUtil;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.SdkHttpClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.apache.ApacheHttpClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.utils.AttributeMap;

/**
 * The TelemetryJob's Kinesis source: Flink's {@link KinesisStreamsSource} (FLIP-27, so per-shard
 * watermarks come from event time parsed in the source, exactly as per Kafka partition), and the
 * start-up check that the stream exists and the credentials may read it.
 */
public final class KinesisTelemetrySources {

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

  private KinesisTelemetrySources() {}

  /** The source reading {@code streamArn} (see {@link #checkStream}). */
  public static Source<ParsedTelemetry, ?, ?> source(
      KinesisSourceConfig config, String streamArn, int maxPayloadBytes, long maxFutureSkewMs) {
    KinesisTelemetryDeserializationSchema schema =
        new KinesisTelemetryDeserializationSchema(maxPayloadBytes, maxFutureSkewMs);
    return new TypedSource<>(
        KinesisStreamsSource.<ParsedTelemetry>builder()
            .setStreamArn(streamArn)
            .setSourceConfig(sourceConfiguration(config))
            .setDeserializationSchema(schema)
            .build(),
        schema.getProducedType());
  }

  /** The connector's settings for {@code config}. */
  public static Configuration sourceConfiguration(KinesisSourceConfig config) {
    Configuration conf = new Configuration();
    awsProperties(config).forEach((k, v) -> conf.setString((String) k, (String) v));
    conf.set(
        KinesisStreamsSourceConfigConstants.STREAM_INITIAL_POSITION,
        KinesisStreamsSourceConfigConstants.InitialPosition.valueOf(
            config.initialPosition().name()));
    if (config.initialTimestamp() != null) {
      conf.set(
          KinesisStreamsSourceConfigConstants.STREAM_INITIAL_TIMESTAMP,
          TIMESTAMP.format(config.initialTimestamp()));
    }
    return conf;
  }

  /**
   * Fails at start-up, naming the stream, the region and the problem, when the stream does not
   * exist or the credentials may not describe it; returns the stream's ARN (the source reads by
   * ARN, the user may give a name).
   */
  public static String checkStream(KinesisSourceConfig config) {
    Properties props = awsProperties(config);
    String where =
        "kinesis.stream '"
            + config.stream()
            + "' (region "
            + config.region()
            + (config.endpoint() == null ? "" : ", endpoint " + config.endpoint())
            + ")";
    SdkHttpClient http =
        AWSGeneralUtil.createSyncHttpClient(
            AttributeMap.builder().build(), ApacheHttpClient.builder());
    try (http;
        KinesisClient client =
            AWSClientUtil.createAwsSyncClient(
                props, http, KinesisClient.builder(), "Apache Flink %s (%s) FleetPulse", "")) {
      DescribeStreamSummaryRequest.Builder request = DescribeStreamSummaryRequest.builder();
      if (config.stream().startsWith("arn:")) {
        request.streamARN(config.stream());
      } else {
        request.streamName(config.stream());
      }
      StreamDescriptionSummary summary =
          client.describeStreamSummary(request.build()).streamDescriptionSummary();
      String status = summary.streamStatusAsString();
      if (!"ACTIVE".equals(status) && !"UPDATING".equals(status)) {
        throw new ConfigException(where + " is " + status + ", not ACTIVE");
      }
      return summary.streamARN();
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      String text = String.valueOf(e.getMessage());
      String name = e.getClass().getSimpleName();
      if (name.contains("ResourceNotFound") || text.contains("not found")) {
        throw new ConfigException(where + " does not exist: " + text, e);
      }
      if (text.contains("403")
          || text.contains("credentials")
          || text.contains("AccessDenied")
          || text.contains("security token")
          || text.contains("UnrecognizedClient")) {
        throw new ConfigException(
            where
                + ": the credentials ("
                + (config.accessKey() == null
                    ? "the default AWS chain"
                    : "kinesis.access-key '" + config.accessKey() + "'")
                + ") were refused: "
                + text,
            e);
      }
      throw new ConfigException(where + " cannot be read: " + name + ": " + text, e);
    } catch (Exception e) {
      throw new ConfigException(where + " cannot be read: " + e, e);
    }
  }

  private static Properties awsProperties(KinesisSourceConfig config) {
    Properties p = new Properties();
    p.setProperty("aws.region", config.region());
    if (config.endpoint() != null) {
      p.setProperty("aws.endpoint", URI.create(config.endpoint()).toString());
    }
    if (config.accessKey() != null) {
      p.setProperty("aws.credentials.provider", "BASIC");
      p.setProperty("aws.credentials.provider.basic.accesskeyid", config.accessKey());
      p.setProperty("aws.credentials.provider.basic.secretkey", config.secretKey());
    } else {
      p.setProperty("aws.credentials.provider", "AUTO");
    }
    return p;
  }
}
