package io.fleetpulse.bench.shadow;

import io.fleetpulse.bench.telemetry.TelemetryJobBenchmark;
import io.fleetpulse.jobs.shadow.ShadowMessage;
import io.fleetpulse.jobs.shadow.ShadowMessageSerializationSchema;
import io.fleetpulse.jobs.shadow.ShadowRequest;
import io.fleetpulse.jobs.shadow.ShadowRequests;
import io.fleetpulse.jobs.shadow.ShadowStep;
import io.fleetpulse.model.shadow.ShadowEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The baseline: one thread that reads the same request topics with a plain consumer, applies each
 * request with the same {@link ShadowStep} to a {@code HashMap<shadow key, document JSON>} and
 * writes the same records to Kafka with a plain producer (the job's sink settings and
 * serialization). Only where the shadows live differs from the job.
 */
final class MapShadowService implements AutoCloseable {

  private final Map<String, String> shadows = new HashMap<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  MapShadowService(
      String bootstrap,
      List<String> requestTopics,
      String documentsTopic,
      String deltaTopic,
      String responsesTopic) {
    ShadowMessageSerializationSchema documents =
        ShadowMessageSerializationSchema.documents(documentsTopic);
    ShadowMessageSerializationSchema deltas = ShadowMessageSerializationSchema.deltas(deltaTopic);
    ShadowMessageSerializationSchema responses =
        ShadowMessageSerializationSchema.responses(responsesTopic);
    thread =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> consumer =
                      new KafkaConsumer<>(TelemetryJobBenchmark.consumerProperties(bootstrap));
                  KafkaProducer<byte[], byte[]> producer =
                      new KafkaProducer<>(producer(bootstrap))) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : requestTopics) {
                  for (PartitionInfo p : consumer.partitionsFor(topic)) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                  }
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                ShadowEngine engine = new ShadowEngine(ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES);
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> record :
                      consumer.poll(Duration.ofMillis(5))) {
                    ShadowRequest request = ShadowRequests.parse(record);
                    if (request.getDeadLetter() != null) {
                      throw new IllegalStateException("benchmark record is a dead letter");
                    }
                    String key = request.shadowKey();
                    long now = System.currentTimeMillis() / 1000;
                    ShadowStep.Result r = ShadowStep.apply(engine, shadows.get(key), request, now);
                    for (ShadowMessage m : r.responses()) {
                      producer.send(responses.serialize(m, null, null), this::failed);
                    }
                    if (r.stored() != null) {
                      shadows.put(key, r.stored());
                      if (r.delta() != null) {
                        producer.send(deltas.serialize(r.delta(), null, null), this::failed);
                      }
                      producer.send(documents.serialize(r.document(), null, null), this::failed);
                    }
                  }
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            },
            "map-shadow-service");
    thread.setDaemon(true);
  }

  private void failed(Object metadata, Exception e) {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
  }

  void start() {
    thread.start();
  }

  /** The failure of the service thread, if any. */
  Throwable failure() {
    return failure.get();
  }

  /** Average UTF-16 length of the stored documents (ASCII here: bytes). Call after close. */
  double averageDocumentChars() {
    long chars = 0;
    for (String doc : shadows.values()) {
      chars += doc.length();
    }
    return shadows.isEmpty() ? 0 : (double) chars / shadows.size();
  }

  int size() {
    return shadows.size();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(60_000);
  }

  /** As {@code KafkaConnectors.sink} sets up the job's producers. */
  private static Properties producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }
}
