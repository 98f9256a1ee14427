package io.fleetpulse.connectors.influxdb.internal;

import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch of lines: retries what may pass later (429, 5xx, network errors), isolates each
 * line the server rejects as bad and drops it (logged with the line, counted) while every good line
 * is written, and throws when retries are exhausted or the server refuses every write
 * (authentication, unknown database).
 */
final class BatchSender {

  private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);

  private static final int LOGGED_CHARS = 500;

  private final HttpClient http;
  private final WriteRequests requests;
  private final Backoff backoff;
  private final int maxRetries;
  private final SinkMetrics metrics;

  BatchSender(InfluxDbSinkOptions options, HttpClient http, SinkMetrics metrics) {
    this.http = http;
    this.requests = new WriteRequests(options);
    this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
    this.maxRetries = options.maxRetries();
    this.metrics = metrics;
  }

  void send(List<String> lines) throws IOException, InterruptedException {
    Deque<List<String>> chunks = new ArrayDeque<>();
    chunks.push(lines);
    while (!chunks.isEmpty()) {
      List<String> chunk = chunks.pop();
      Rejection rejection = sendWithRetries(chunk);
      if (rejection == null) {
        continue;
      }
      if (chunk.size() == 1) {
        drop(chunk.get(0), rejection);
        continue;
      }
      // The server names neither all bad lines nor how many it kept: halve until each bad line is
      // alone, so that every good line is written. Resending good lines is harmless, InfluxDB
      // overwrites the same series and time. Cost: about 2 log2(n) requests per bad line, at most
      // 2n - 1 for a batch of n bad lines; no budget, since a budget drops good lines with the bad.
      int middle = chunk.size() / 2;
      chunks.push(chunk.subList(middle, chunk.size()));
      chunks.push(chunk.subList(0, middle));
    }
  }

  /** Null when written, the rejection when the server refused the lines as bad. */
  private Rejection sendWithRetries(List<String> lines) throws IOException, InterruptedException {
    byte[] body = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    for (int retry = 0; ; retry++) {
      long began = System.nanoTime();
      HttpResponse<String> response = null;
      String problem;
      try {
        response = http.send(requests.request(body), HttpResponse.BodyHandlers.ofString());
        problem = "HTTP " + response.statusCode() + " " + abbreviate(response.body());
      } catch (IOException e) {
        problem = e.toString();
      }
      if (response != null) {
        int status = response.statusCode();
        if (status / 100 == 2) {
          metrics.written(lines.size(), (System.nanoTime() - began) / 1_000_000);
          return null;
        }
        if (isBadData(status)) {
          return new Rejection(status, response.body());
        }
        if (!isRetryable(status)) {
          throw new IOException(
              "InfluxDB refused the write to "
                  + requests.uri()
                  + " with "
                  + problem
                  + " (check the sink's URL, database or bucket, and credentials)");
        }
      }
      if (retry >= maxRetries) {
        throw new IOException(
            "InfluxDB write to "
                + requests.uri()
                + " failed after "
                + maxRetries
                + " retries, last: "
                + problem);
      }
      Optional<String> retryAfter =
          response == null ? Optional.empty() : response.headers().firstValue("Retry-After");
      Duration delay = backoff.delay(retry + 1, retryAfter);
      metrics.retried();
      LOG.info(
          "InfluxDB write of {} points failed ({}), retry {} of {} in {} ms",
          lines.size(),
          problem,
          retry + 1,
          maxRetries,
          delay.toMillis());
      Thread.sleep(delay.toMillis());
    }
  }

  private void drop(String line, Rejection rejection) {
    metrics.dropped(1);
    LOG.warn(
        "InfluxDB rejected a point with HTTP {} ({}): dropped, not retried; line: {}",
        rejection.status,
        abbreviate(rejection.body),
        abbreviate(line));
  }

  private static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status / 100 == 5;
  }

  /** A client error about the lines themselves, which no retry will fix. */
  private static boolean isBadData(int status) {
    return status / 100 == 4
        && !isRetryable(status)
        && status != 401
        && status != 403
        && status != 404;
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String oneLine = s.strip();
    return oneLine.length() <= LOGGED_CHARS ? oneLine : oneLine.substring(0, LOGGED_CHARS) + "...";
  }

  private static final class Rejection {
    final int status;
    final String body;

    Rejection(int status, String body) {
      this.status = status;
      this.body = body;
    }
  }
}
