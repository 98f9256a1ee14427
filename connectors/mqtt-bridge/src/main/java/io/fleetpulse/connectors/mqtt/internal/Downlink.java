package io.fleetpulse.connectors.mqtt.internal;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.common.Utf8;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.DeviceIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers records of the downlink Kafka topics to devices with QoS 1, and commits their offsets
 * only after the broker acknowledged every message of the batch; a failed batch is read again.
 */
public final class Downlink implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Downlink.class);
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);

  private final Consumer<byte[], byte[]> consumer;
  private final Mqtt5AsyncClient mqtt;
  private final Map<String, TopicPattern> routes;
  private final KafkaSender sender;
  private final String rejectedTopic;
  private final BridgeMetrics metrics;
  private volatile boolean running = true;

  /**
   * @param routes Kafka topic to the MQTT topic pattern of its devices
   */
  public Downlink(
      Consumer<byte[], byte[]> consumer,
      Mqtt5AsyncClient mqtt,
      Map<String, TopicPattern> routes,
      KafkaSender sender,
      String rejectedTopic,
      BridgeMetrics metrics) {
    this.consumer = consumer;
    this.mqtt = mqtt;
    this.routes = Map.copyOf(routes);
    this.sender = sender;
    this.rejectedTopic = rejectedTopic;
    this.metrics = metrics;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(new ArrayList<>(routes.keySet()));
      long backoff = 100;
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        if (deliver(records)) {
          commit(records);
          backoff = 100;
        } else if (running) {
          rewind(records);
          Thread.sleep(backoff);
          backoff = Math.min(5_000, backoff * 2);
        }
      }
    } catch (WakeupException stopping) {
      // close() woke the consumer up.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("downlink stopped", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Asks the loop to stop after the batch in hand, committed only if it was delivered. */
  public void stop() {
    running = false;
  }

  private boolean deliver(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
    List<CompletableFuture<Boolean>> results = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      metrics.downlinkIn(record.topic());
      String deviceId =
          record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
      String problem = invalid(deviceId);
      if (problem != null) {
        results.add(reject(record, Rejection.INVALID_DEVICE_ID, problem));
        continue;
      }
      String topic;
      try {
        topic = DownlinkTopics.topicFor(routes.get(record.topic()), deviceId, record.headers());
      } catch (IllegalArgumentException e) {
        results.add(reject(record, Rejection.INVALID_SHADOW_HEADER, e.getMessage()));
        continue;
      }
      results.add(
          mqtt.publishWith()
              .topic(topic)
              .qos(MqttQos.AT_LEAST_ONCE)
              .payload(record.value() == null ? new byte[0] : record.value())
              .send()
              .handle(
                  (result, error) -> {
                    Throwable failure = error != null ? error : result.getError().orElse(null);
                    if (failure != null) {
                      LOG.warn("publishing to {} failed: {}", topic, failure.toString());
                      return false;
                    }
                    metrics.downlinkOut(record.topic());
                    return true;
                  }));
    }
    try {
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
          .get(BATCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
    return results.stream().allMatch(CompletableFuture::join);
  }

  private static String invalid(String deviceId) {
    if (deviceId == null) {
      return "record has no key; the key is the device id";
    }
    return DeviceIds.problem(deviceId);
  }

  private CompletableFuture<Boolean> reject(
      ConsumerRecord<byte[], byte[]> record, Rejection rejection, String detail) {
    ProducerRecord<byte[], byte[]> rejected =
        new ProducerRecord<>(rejectedTopic, null, record.key(), record.value());
    record.headers().forEach(h -> rejected.headers().add(h));
    BridgeHeaders.addRejection(
        rejected.headers(), rejection, detail, "downlink", System.currentTimeMillis());
    rejected.headers().add(DeadLetterHeaders.SOURCE_TOPIC, Utf8.bytes(record.topic()));
    rejected
        .headers()
        .add(DeadLetterHeaders.SOURCE_PARTITION, Utf8.bytes(Integer.toString(record.partition())));
    rejected
        .headers()
        .add(DeadLetterHeaders.SOURCE_OFFSET, Utf8.bytes(Long.toString(record.offset())));
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    sender.send(
        rejected,
        () -> {
          metrics.rejected(rejection, "downlink");
          done.complete(true);
        },
        error -> {
          // Not writable to the rejected topic either: committed past anyway, or the downlink
          // would read this record again forever; the log has it.
          LOG.error(
              "downlink record {}-{}@{} LOST: invalid ({}) and the rejected topic refused it: {}",
              record.topic(),
              record.partition(),
              record.offset(),
              detail,
              error.toString());
          metrics.rejectionLost("downlink");
          done.complete(true);
        });
    return done;
  }

  private void commit(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> inPartition = records.records(partition);
      long next = inPartition.get(inPartition.size() - 1).offset() + 1;
      offsets.put(partition, new OffsetAndMetadata(next));
    }
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      // Delivered but not committed: after a restart these records go out again (at least once).
      LOG.warn("committing downlink offsets failed: {}", e.toString());
    }
  }

  private void rewind(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition partition : records.partitions()) {
      consumer.seek(partition, records.records(partition).get(0).offset());
    }
  }
}
