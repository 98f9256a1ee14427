package io.fleetpulse.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.ModelJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ShadowJob's answers on {@code iot.shadow.responses}, read by one consumer thread that
 * completes the futures of requests waiting for them ({@code ?wait=}), matched by clientToken. HTTP
 * threads never block on Kafka: they hand Javalin a future.
 *
 * <p>It reads from the end: only answers to requests made after start matter. No consumer group, so
 * every instance sees every answer and answers the requests it made itself.
 */
public final class ShadowResponses implements AutoCloseable {

  /** One answer: its kind ({@code update/accepted}, ...) and AWS's response body. */
  public record Response(String kind, JsonNode body) {
    /** Whether the job accepted the request. */
    public boolean accepted() {
      return kind.endsWith("/accepted");
    }
  }

  /** Header naming the answer's kind, as in the shared contract. */
  public static final String RESPONSE_HEADER = "shadow.response";

  private static final Logger LOG = LoggerFactory.getLogger(ShadowResponses.class);

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong matched = new AtomicLong();
  private volatile boolean closing;
  private volatile String failure;

  private record Pending(String op, CompletableFuture<Response> future) {}

  public ShadowResponses(String topic, String bootstrapServers, Map<String, String> kafkaProps) {
    this.topic = topic;
    Properties props = new Properties();
    props.putAll(kafkaProps);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fleetpulse-api-shadow-responses");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "api-shadow-responses");
    thread.setDaemon(true);
  }

  /**
   * Positions at the end of every partition (so no answer to a later request is missed) and starts
   * reading.
   */
  public void start() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topic)) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    // position() resolves the end offsets now, before any request can be written.
    partitions.forEach(consumer::position);
    thread.start();
  }

  /**
   * Registers interest in the answer to the {@code op} ({@code update} or {@code delete}) request
   * with {@code clientToken}; call before writing the request. The future completes with null after
   * {@code wait}.
   *
   * @throws Problem 409 when another request of this instance waits on the same clientToken
   */
  public CompletableFuture<Response> expect(String clientToken, String op, Duration wait) {
    CompletableFuture<Response> future = new CompletableFuture<>();
    if (pending.putIfAbsent(clientToken, new Pending(op, future)) != null) {
      throw new Problem(
          409,
          "client_token_in_use",
          "clientToken",
          "another request waits for an answer to the same clientToken");
    }
    future.whenComplete((r, e) -> pending.remove(clientToken, new Pending(op, future)));
    return future.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops waiting for {@code clientToken} (its request could not be written). */
  public void forget(String clientToken) {
    Pending p = pending.remove(clientToken);
    if (p != null) {
      p.future().complete(null);
    }
  }

  /** Answers matched to a waiting request since start. */
  public long matched() {
    return matched.get();
  }

  /** Why the reader stopped, or null while it runs. */
  public String failure() {
    return failure;
  }

  private void run() {
    try {
      while (!closing) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          handle(record);
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        failure = e.toString();
      }
    } catch (RuntimeException e) {
      failure = e.toString();
      LOG.error("the reader of {} stopped; ?wait= answers 202 from now on", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> record) {
    if (pending.isEmpty() || record.value() == null) {
      return;
    }
    Header kindHeader = record.headers().lastHeader(RESPONSE_HEADER);
    if (kindHeader == null) {
      return;
    }
    String kind = new String(kindHeader.value(), StandardCharsets.UTF_8);
    int slash = kind.indexOf('/');
    // update/documents also carries the clientToken but is not the answer to the request.
    if (slash < 0 || kind.endsWith("/documents")) {
      return;
    }
    JsonNode body;
    try {
      body = ModelJson.mapper().readTree(record.value());
    } catch (java.io.IOException e) {
      LOG.warn(
          "unreadable shadow response at {}-{}@{}", topic, record.partition(), record.offset());
      return;
    }
    JsonNode token = body == null ? null : body.get("clientToken");
    if (token == null || !token.isTextual()) {
      return;
    }
    Pending p = pending.get(token.asText());
    if (p != null && p.op().equals(kind.substring(0, slash))) {
      matched.incrementAndGet();
      p.future().complete(new Response(kind, body));
    }
  }

  @Override
  public void close() {
    closing = true;
    ConsumerThreads.stop(thread, consumer);
  }
}
