package io.fleetpulse.jobs.dlq;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.model.DeadLetterHeaders;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a {@link DeadLetter} as the original key and bytes, with the original headers plus the
 * {@link DeadLetterHeaders} naming the reason, the refusing stage and the source record.
 */
public final class DeadLetterSerializationSchema
    implements KafkaRecordSerializationSchema<DeadLetter> {

  private final String topic;
  private final String stage;

  /** Dead letters to {@code topic}, refused by {@code stage} (e.g. {@code telemetry-job}). */
  public DeadLetterSerializationSchema(String topic, String stage) {
    this.topic = topic;
    this.stage = stage;
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
    headers.add(DeadLetterHeaders.REASON, Utf8.bytes(letter.getReason()));
    headers.add(DeadLetterHeaders.DETAIL, Utf8.bytes(letter.getDetail()));
    headers.add(DeadLetterHeaders.STAGE, Utf8.bytes(stage));
    headers.add(DeadLetterHeaders.SOURCE_TOPIC, Utf8.bytes(letter.getSourceTopic()));
    headers.add(
        DeadLetterHeaders.SOURCE_PARTITION,
        Utf8.bytes(String.valueOf(letter.getSourcePartition())));
    headers.add(
        DeadLetterHeaders.SOURCE_OFFSET, Utf8.bytes(String.valueOf(letter.getSourceOffset())));
    headers.add(DeadLetterHeaders.FAILED_AT, Utf8.bytes(String.valueOf(letter.getFailedAt())));
    if (letter.isTruncated()) {
      headers.add(DeadLetterHeaders.TRUNCATED, Utf8.bytes("true"));
    }
    return new ProducerRecord<>(topic, null, null, letter.getKey(), letter.getValue(), headers);
  }
}
