package io.fleetpulse.api.live;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A Server-Sent Events client over java.net.http, parsing the event stream format itself. */
final class SseReader implements AutoCloseable {

  /** One dispatched event. */
  record Event(String name, String data, String id, long atNanos) {}

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final int status;
  private final InputStream body;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Thread reader;

  SseReader(String url, String key, String lastEventId) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Accept", "text/event-stream")
            .header("Authorization", "Bearer " + key);
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response =
        HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())
            .get(10, TimeUnit.SECONDS);
    status = response.statusCode();
    body = response.body();
    reader = new Thread(this::read, "test-sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String name = "message";
      StringBuilder data = new StringBuilder();
      String id = null;
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(name, data.toString(), id, System.nanoTime()));
          }
          name = "message";
          data.setLength(0);
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "event" -> name = value;
          case "data" -> data.append(data.length() > 0 ? "\n" : "").append(value);
          case "id" -> id = value;
          default -> {}
        }
      }
    } catch (Exception e) {
      // closed
    }
  }

  /** The next event named {@code name} (others are skipped), or fails after {@code timeout}. */
  Event next(String name, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Event e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new AssertionError("no '" + name + "' event within " + timeout);
      }
      if (e.name().equals(name)) {
        return e;
      }
    }
  }

  /** The next event of any name within {@code timeout}, or null. */
  Event poll(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws Exception {
    body.close();
    reader.join(5_000);
  }
}
