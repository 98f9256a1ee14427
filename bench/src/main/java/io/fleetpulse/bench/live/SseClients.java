package io.fleetpulse.bench.live;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Many concurrent Server-Sent Events streams over one {@code java.net.http} client: lines are read
 * asynchronously (no thread per stream), and each {@code alert} event's arrival is timed against
 * the moment the alert was written to Kafka.
 */
final class SseClients implements AutoCloseable {

  private static final String ALERT_ID = "\"alertId\":\"";

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30))
          .build();
  private final List<Stream> streams = new ArrayList<>();
  private final CountDownLatch positioned;
  private final Map<String, Long> sentNanos;
  private final Latencies latencies;

  SseClients(
      String url, String key, int clients, Map<String, Long> sentNanos, Latencies latencies) {
    this.sentNanos = sentNanos;
    this.latencies = latencies;
    positioned = new CountDownLatch(clients);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + key)
            .header("Accept", "text/event-stream")
            .build();
    for (int i = 0; i < clients; i++) {
      Stream s = new Stream();
      s.response = http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(s));
      streams.add(s);
    }
  }

  /** Waits until every stream has its first {@code position} event (it is subscribed). */
  boolean awaitSubscribed(Duration timeout) throws InterruptedException {
    return positioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  long subscribed() {
    return streams.size() - positioned.getCount();
  }

  /** Streams that ended or failed. */
  long ended() {
    return streams.stream().filter(s -> s.ended).count();
  }

  private final class Stream implements Flow.Subscriber<String> {
    CompletableFuture<HttpResponse<Void>> response;
    Flow.Subscription subscription;
    String event = "message";
    boolean sawPosition;
    volatile boolean ended;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      long at = System.nanoTime();
      if (line.startsWith("event:")) {
        event = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        if (event.equals("position") && !sawPosition) {
          sawPosition = true;
          positioned.countDown();
        } else if (event.equals("alert")) {
          int i = line.indexOf(ALERT_ID);
          if (i >= 0) {
            int from = i + ALERT_ID.length();
            Long sent = sentNanos.get(line.substring(from, line.indexOf('"', from)));
            if (sent != null) {
              latencies.add(at - sent);
            }
          }
        }
      } else if (line.isEmpty()) {
        event = "message";
      }
    }

    @Override
    public void onError(Throwable t) {
      ended = true;
    }

    @Override
    public void onComplete() {
      ended = true;
    }
  }

  @Override
  public void close() {
    for (Stream s : streams) {
      if (s.subscription != null) {
        s.subscription.cancel();
      }
      s.response.cancel(true);
    }
  }
}
