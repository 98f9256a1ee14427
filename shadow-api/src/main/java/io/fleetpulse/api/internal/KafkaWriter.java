package io.fleetpulse.api.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes the API's records and waits for Kafka's acknowledgement before the API answers. */
public final class KafkaWriter implements AutoCloseable {

  private final KafkaProducer<byte[], byte[]> producer;
  private final Duration timeout;

  public KafkaWriter(String bootstrapServers, Map<String, String> properties, Duration timeout) {
    Properties props = new Properties();
    props.putAll(properties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "fleetpulse-api");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.timeout = timeout;
  }

  /**
   * Writes {@code value} (null = tombstone) under {@code key} and returns where it landed.
   *
   * @throws Problem 503 when Kafka does not acknowledge in time
   */
  public RecordMetadata write(String topic, String key, byte[] value) {
    return write(topic, key, value, Map.of());
  }

  /**
   * Writes {@code value} under {@code key} with string {@code headers} and returns where it landed.
   *
   * @throws Problem 503 when Kafka does not acknowledge in time
   */
  public RecordMetadata write(String topic, String key, byte[] value, Map<String, String> headers) {
    return await(topic, send(topic, key, value, headers));
  }

  /** Starts a write; {@link #await} it. Many sends then many awaits batch the round trips. */
  public Future<RecordMetadata> send(
      String topic, String key, byte[] value, Map<String, String> headers) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    try {
      return producer.send(record);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Waits for a {@link #send}.
   *
   * @throws Problem 503 when Kafka does not acknowledge in time
   */
  public RecordMetadata await(String topic, Future<RecordMetadata> sent) {
    try {
      return sent.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Problem(503, "interrupted", null, "interrupted while writing to Kafka");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new Problem(
          503,
          "kafka_unavailable",
          null,
          "Kafka did not take the write to " + topic + ": " + cause);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
