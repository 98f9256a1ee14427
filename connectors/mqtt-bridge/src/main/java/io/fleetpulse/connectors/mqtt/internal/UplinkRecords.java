package io.fleetpulse.connectors.mqtt.internal;

import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.fleetpulse.common.Utf8;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/** Turns a device message and its {@link UplinkDecision} into the Kafka record to write. */
public final class UplinkRecords {

  private final String rejectedTopic;
  private final int maxPayloadBytes;
  private final int maxRecordBytes;

  /**
   * @param maxRecordBytes the producer's {@code max.request.size}: the largest record (payload,
   *     key, headers and framing) it sends
   */
  public UplinkRecords(String rejectedTopic, int maxPayloadBytes, int maxRecordBytes) {
    this.rejectedTopic = rejectedTopic;
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * The size the producer gives {@code record} when it checks it against {@code max.request.size}
   * (payload, key, headers and batch framing).
   */
  public static int size(ProducerRecord<byte[], byte[]> record) {
    return AbstractRecords.estimateSizeInBytesUpperBound(
        RecordBatch.CURRENT_MAGIC_VALUE,
        CompressionType.NONE,
        record.key(),
        record.value(),
        record.headers().toArray());
  }

  /** Whether the producer takes {@code record}: with its key and headers, it is small enough. */
  public boolean fits(ProducerRecord<byte[], byte[]> record) {
    return size(record) <= maxRecordBytes;
  }

  /**
   * The rejected-topic record for {@code record}, whose payload is within the limit but which with
   * its key and headers (a long {@code client.id}, say) is larger than the producer sends.
   */
  public ProducerRecord<byte[], byte[]> tooLarge(
      ProducerRecord<byte[], byte[]> record, long receivedAt) {
    int size = size(record);
    int payloadSize = record.value() == null ? 0 : record.value().length;
    ProducerRecord<byte[], byte[]> rejected =
        new ProducerRecord<>(rejectedTopic, null, record.key(), record.value());
    record.headers().forEach(h -> rejected.headers().add(h));
    BridgeHeaders.addRejection(
        rejected.headers(),
        Rejection.PAYLOAD_TOO_LARGE,
        "the record is "
            + size
            + " bytes with its key and headers (payload "
            + payloadSize
            + " bytes), the producer's max.request.size is "
            + maxRecordBytes,
        "uplink",
        receivedAt);
    rejected.headers().add(BridgeHeaders.PAYLOAD_SIZE, Utf8.bytes(Integer.toString(payloadSize)));
    return fitted(rejected);
  }

  /** The record for {@code publish}: to its data topic, or to the rejected topic with reasons. */
  public ProducerRecord<byte[], byte[]> record(
      Mqtt5Publish publish, byte[] payload, UplinkDecision decision, long receivedAt) {
    byte[] key = decision.deviceId() == null ? null : Utf8.bytes(decision.deviceId());
    byte[] value = payload;
    String topic = decision.kafkaTopic();
    if (decision.rejected()) {
      topic = rejectedTopic;
      // Oversize payloads are cut so that the rejected record itself always fits into Kafka.
      if (payload.length > maxPayloadBytes) {
        value = Arrays.copyOf(payload, maxPayloadBytes);
      }
    }
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, key, value);
    Headers headers = record.headers();
    headers.add(BridgeHeaders.MQTT_TOPIC, Utf8.bytes(publish.getTopic().toString()));
    headers.add(BridgeHeaders.MQTT_QOS, Utf8.bytes(Integer.toString(publish.getQos().getCode())));
    headers.add(BridgeHeaders.RECEIVED_AT, Utf8.bytes(Long.toString(receivedAt)));
    for (Mqtt5UserProperty property : publish.getUserProperties().asList()) {
      if (property.getName().toString().equals(BridgeHeaders.CLIENT_ID)) {
        headers.add(BridgeHeaders.CLIENT_ID, Utf8.bytes(property.getValue().toString()));
        break;
      }
    }
    decision.headers().forEach((name, text) -> headers.add(name, Utf8.bytes(text)));
    if (decision.rejected()) {
      BridgeHeaders.addRejection(
          headers, decision.rejection(), decision.detail(), "uplink", receivedAt);
      headers.add(BridgeHeaders.PAYLOAD_SIZE, Utf8.bytes(Integer.toString(payload.length)));
      return fitted(record);
    }
    return record;
  }

  /**
   * The rejected-topic record for {@code refused}, a record Kafka refused for good with {@code
   * error}: same key, value and headers, plus the rejection headers naming the error.
   */
  public ProducerRecord<byte[], byte[]> refused(
      ProducerRecord<byte[], byte[]> refused, Exception error, long failedAt) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(rejectedTopic, null, refused.key(), refused.value());
    refused.headers().forEach(h -> record.headers().add(h));
    BridgeHeaders.addRejection(
        record.headers(),
        Rejection.KAFKA_REFUSED,
        "Kafka refused the record for topic " + refused.topic() + ": " + error,
        "uplink",
        failedAt);
    return fitted(record);
  }

  /**
   * {@code record}, with its value cut so that the whole record fits into a request: a rejection
   * must be writable, or it would be lost too. Headers are kept whole (they say what happened).
   */
  private ProducerRecord<byte[], byte[]> fitted(ProducerRecord<byte[], byte[]> record) {
    int excess = size(record) - maxRecordBytes;
    if (excess <= 0 || record.value() == null) {
      return record;
    }
    // A few bytes more: the value's length is a varint, and the record's too.
    int keep = Math.max(0, record.value().length - excess - 16);
    ProducerRecord<byte[], byte[]> cut =
        new ProducerRecord<>(
            record.topic(), null, record.key(), Arrays.copyOf(record.value(), keep));
    record.headers().forEach(h -> cut.headers().add(h));
    return cut;
  }
}
