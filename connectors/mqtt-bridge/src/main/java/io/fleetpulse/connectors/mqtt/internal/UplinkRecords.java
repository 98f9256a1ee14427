package io.fleetpulse.connectors.mqtt.internal;

import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.fleetpulse.common.Utf8;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/** Turns a device message and its {@link UplinkDecision} into the Kafka record to write. */
public final class UplinkRecords {

  private final String rejectedTopic;
  private final int maxPayloadBytes;

  public UplinkRecords(String rejectedTopic, int maxPayloadBytes) {
    this.rejectedTopic = rejectedTopic;
    this.maxPayloadBytes = maxPayloadBytes;
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
    return record;
  }
}
