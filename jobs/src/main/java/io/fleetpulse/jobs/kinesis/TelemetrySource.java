package io.fleetpulse.jobs.kinesis;

/** Where the TelemetryJob reads raw telemetry from. */
public enum TelemetrySource {
  /** The bridge's Kafka topic {@code topic.telemetry.raw}. */
  KAFKA,
  /** A Kinesis stream, e.g. the one an AWS IoT Core rule's Kinesis action writes. */
  KINESIS
}
