package io.fleetpulse.jobs.dlq;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a {@link DeadLetter} as the original key and bytes, with the original headers plus headers
 * naming the reason and the source record.
 */
public final class DeadLetterSerializationSchema
    implements KafkaRecordSerializationSchema<DeadLetter> {

  /** Header with the reason code. */
  public static final String REASON = "dlq.reason";

  /** Header with the human-readable detail. */
  public static final String DETAIL = "dlq.detail";

  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";
  public static final String FAILED_AT = "dlq.failed.at";

  private final String topic;

  public DeadLetterSerializationSchema(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    String[] names = letter.getHeaderNames();
    byte[][] values = letter.getHeaderValues();
    if (names != null && values != null) {
      for (int i = 0; i < names.length; i++) {
        headers.add(names[i], values[i]);
      }
    }
    headers.add(REASON, utf8(letter.getReason()));
    headers.add(DETAIL, utf8(letter.getDetail()));
    headers.add(SOURCE_TOPIC, utf8(letter.getSourceTopic()));
    headers.add(SOURCE_PARTITION, utf8(String.valueOf(letter.getSourcePartition())));
    headers.add(SOURCE_OFFSET, utf8(String.valueOf(letter.getSourceOffset())));
    headers.add(FAILED_AT, utf8(String.valueOf(letter.getFailedAt())));
    return new ProducerRecord<>(topic, null, null, letter.getKey(), letter.getValue(), headers);
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
