package io.fleetpulse.model;

/**
 * The headers every component puts on a record it rejects or dead-letters (bridge, jobs, shadow,
 * API): one scheme, so one tool reads every DLQ. The original record's key, value and headers are
 * kept as they were.
 */
public final class DeadLetterHeaders {

  /** The reason code, snake_case: {@code not_json}, {@code payload_too_large}, ... */
  public static final String REASON = "dlq.reason";

  /** What exactly was wrong, for a person. */
  public static final String DETAIL = "dlq.detail";

  /** Which component refused it: {@code mqtt-bridge}, {@code telemetry-job}, ... */
  public static final String STAGE = "dlq.stage";

  /** Where the refused record came from, when it came from a Kafka record. */
  public static final String SOURCE_TOPIC = "dlq.source.topic";

  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";

  /** When it was refused, epoch millis. */
  public static final String FAILED_AT = "dlq.failed.at";

  /** Present ({@code true}) when the key or value was cut to fit the dead-letter topic. */
  public static final String TRUNCATED = "dlq.truncated";

  private DeadLetterHeaders() {}
}
