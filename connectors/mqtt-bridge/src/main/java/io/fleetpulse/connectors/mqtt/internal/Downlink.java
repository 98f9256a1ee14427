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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * only after the broker acknowledged every message of the batch.
 *
 * <p>Each record has at most one publish outstanding: while the broker is away the MQTT client
 * keeps the publishes of the persistent session and sends them when it is back, so a record is
 * published again only when its publish failed, never because it takes long. (Publishing the batch
 * again after a timeout queued one more copy per timeout, and a long outage delivered each command
 * many times.) While it waits, the consumer is paused and still polled, so it stays in its group.
 */
public final class Downlink implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Downlink.class);
  private static final Duration POLL_SLICE = Duration.ofMillis(200);

  private final Consumer<byte[], byte[]> consumer;
  private final Mqtt5AsyncClient mqtt;
  private final Map<String, TopicPattern> routes;
  private final KafkaSender sender;
  private final String rejectedTopic;
  private final BridgeMetrics metrics;
  private final Duration publishTimeout;
  private volatile boolean running = true;
  private volatile String failure;

  /**
   * @param routes Kafka topic to the MQTT topic pattern of its devices
   * @param publishTimeout how long to wait for the broker before logging that the batch still waits
   */
  public Downlink(
      Consumer<byte[], byte[]> consumer,
      Mqtt5AsyncClient mqtt,
      Map<String, TopicPattern> routes,
      KafkaSender sender,
      String rejectedTopic,
      BridgeMetrics metrics,
      Duration publishTimeout) {
    this.consumer = consumer;
    this.mqtt = mqtt;
    this.routes = Map.copyOf(routes);
    this.sender = sender;
    this.rejectedTopic = rejectedTopic;
    this.metrics = metrics;
    this.publishTimeout = publishTimeout;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(new ArrayList<>(routes.keySet()));
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_SLICE);
        if (!records.isEmpty() && deliver(records)) {
          commit(records);
        }
      }
    } catch (WakeupException stopping) {
      // close() woke the consumer up.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e.toString();
      LOG.error("downlink stopped", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Asks the loop to stop after the batch in hand, committed only if it was delivered. */
  public void stop() {
    running = false;
  }

  /** Why the downlink stopped on its own, or {@code null} while it runs (or was stopped). */
  public String failure() {
    return failure;
  }

  /** The MQTT topic of the device message for {@code record}. */
  private String mqttTopic(ConsumerRecord<byte[], byte[]> record, String deviceId) {
    return DownlinkTopics.topicFor(routes.get(record.topic()), deviceId, record.headers());
  }

  /**
   * Publishes every record of the batch and waits until the broker acknowledged them all; returns
   * false when the bridge stops first (then nothing is committed and the records are read again).
   */
  private boolean deliver(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records.count());
    List<CompletableFuture<Boolean>> results = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      metrics.downlinkIn(record.topic());
      batch.add(record);
      results.add(send(record));
    }
    consumer.pause(consumer.assignment());
    try {
      long backoff = 100;
      long nextWarning = System.nanoTime() + publishTimeout.toNanos();
      while (true) {
        int waiting = awaitSlice(results);
        if (waiting == 0) {
          List<Integer> failed = new ArrayList<>();
          for (int i = 0; i < results.size(); i++) {
            if (!results.get(i).join()) {
              failed.add(i);
            }
          }
          if (failed.isEmpty()) {
            return true;
          }
          if (!running) {
            return false;
          }
          // Only the failed ones again: none of them has a publish outstanding any more.
          Thread.sleep(backoff);
          backoff = Math.min(5_000, backoff * 2);
          for (int i : failed) {
            results.set(i, send(batch.get(i)));
          }
          continue;
        }
        if (!running) {
          return false;
        }
        if (System.nanoTime() > nextWarning) {
          LOG.warn(
              "{} downlink messages wait for the broker's acknowledgement for more than {};"
                  + " the MQTT client sends them when the broker is back",
              waiting,
              publishTimeout);
          nextWarning = System.nanoTime() + publishTimeout.toNanos();
        }
        stayInGroup();
      }
    } finally {
      consumer.resume(consumer.paused());
    }
  }

  /** Waits a little for the outstanding results; returns how many are still outstanding. */
  private static int awaitSlice(List<CompletableFuture<Boolean>> results)
      throws InterruptedException {
    try {
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
          .get(POLL_SLICE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException notYet) {
      // Counted below.
    }
    int waiting = 0;
    for (CompletableFuture<Boolean> result : results) {
      if (!result.isDone()) {
        waiting++;
      }
    }
    return waiting;
  }

  // Polling a paused consumer returns nothing but keeps it in the group (max.poll.interval.ms).
  // Partitions assigned by a rebalance meanwhile are not paused: what they return is read again.
  private void stayInGroup() {
    ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(Duration.ZERO);
    if (!unexpected.isEmpty()) {
      rewind(unexpected);
      consumer.pause(unexpected.partitions());
    }
  }

  private CompletableFuture<Boolean> send(ConsumerRecord<byte[], byte[]> record) {
    String deviceId =
        record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    String problem = invalid(deviceId);
    if (problem != null) {
      return reject(record, Rejection.INVALID_DEVICE_ID, problem);
    }
    String topic;
    try {
      topic = mqttTopic(record, deviceId);
    } catch (IllegalArgumentException e) {
      return reject(record, Rejection.INVALID_SHADOW_HEADER, e.getMessage());
    }
    return mqtt.publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(record.value() == null ? new byte[0] : record.value())
        .send()
        .handle(
            (result, error) -> {
              Throwable failed = error != null ? error : result.getError().orElse(null);
              if (failed != null) {
                LOG.warn("publishing to {} failed: {}", topic, failed.toString());
                return false;
              }
              metrics.downlinkOut(record.topic());
              return true;
            });
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
