package io.fleetpulse.jobs.shadow;

import io.fleetpulse.common.Utf8;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a {@link ShadowMessage} to one topic: the JSON body as value (null, a tombstone, for a
 * deleted shadow), header {@value ShadowRequests#NAME_HEADER} for a named shadow and, on responses,
 * header {@value #RESPONSE_HEADER} with the AWS kind the bridge appends to the MQTT topic.
 */
public final class ShadowMessageSerializationSchema
    implements KafkaRecordSerializationSchema<ShadowMessage> {

  private static final long serialVersionUID = 1L;

  /** The response kind header, e.g. {@code update/accepted}. */
  public static final String RESPONSE_HEADER = "shadow.response";

  /** Which key a topic's records carry. */
  public enum Key {
    /**
     * The device id, plus {@code /name/shadowName} for a named shadow: one key per shadow, as a
     * compacted topic needs.
     */
    SHADOW,
    /** The device id only, the shadow name in a header (deltas and responses). */
    DEVICE
  }

  private final String topic;
  private final Key key;
  private final boolean withKind;

  private ShadowMessageSerializationSchema(String topic, Key key, boolean withKind) {
    this.topic = topic;
    this.key = key;
    this.withKind = withKind;
  }

  /** Full documents, keyed per shadow, for the compacted {@code iot.shadows}. */
  public static ShadowMessageSerializationSchema documents(String topic) {
    return new ShadowMessageSerializationSchema(topic, Key.SHADOW, false);
  }

  /** Delta documents, keyed by device, for {@code iot.shadow.delta}. */
  public static ShadowMessageSerializationSchema deltas(String topic) {
    return new ShadowMessageSerializationSchema(topic, Key.DEVICE, false);
  }

  /** AWS responses, keyed by device, with their kind, for {@code iot.shadow.responses}. */
  public static ShadowMessageSerializationSchema responses(String topic) {
    return new ShadowMessageSerializationSchema(topic, Key.DEVICE, true);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      ShadowMessage message, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    if (message.getShadowName() != null) {
      headers.add(ShadowRequests.NAME_HEADER, Utf8.bytes(message.getShadowName()));
    }
    if (withKind) {
      headers.add(RESPONSE_HEADER, Utf8.bytes(message.getKind()));
    }
    String k = key == Key.SHADOW ? message.key() : message.getDeviceId();
    return new ProducerRecord<>(topic, null, null, Utf8.bytes(k), message.getPayload(), headers);
  }
}
