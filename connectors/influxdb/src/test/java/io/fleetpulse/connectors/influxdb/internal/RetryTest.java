package io.fleetpulse.connectors.influxdb.internal;

import static io.fleetpulse.connectors.influxdb.internal.TestWriter.line;
import static io.fleetpulse.connectors.influxdb.internal.TestWriter.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.connectors.influxdb.internal.RecordingServer.Request;
import io.fleetpulse.connectors.influxdb.internal.RecordingServer.Response;
import io.fleetpulse.devstack.FreePorts;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryTest {

  private final RecordingServer server = new RecordingServer();

  @AfterEach
  void stopServer() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void retriesAfterTheTimeTheServerAsksForThenSucceeds(int status) throws Exception {
    server.thenRespond(Response.retryAfter(status, "1"));
    // Retry-After is honoured up to the maximum backoff.
    try (TestWriter sink =
        new TestWriter(options(server.url()).maxBackoff(Duration.ofSeconds(2)).build())) {
      sink.write(1);

      sink.writer.flush(false);

      assertThat(server.requests())
          .extracting(Request::lines)
          .containsExactly(List.of(line(1)), List.of(line(1)));
      assertThat(server.between(0, 1)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
      assertThat(sink.metrics.retries()).isEqualTo(1);
      assertThat(sink.metrics.pointsWritten()).isEqualTo(1);
    }
  }

  @Test
  void backsOffExponentiallyWhenTheServerNamesNoTime() throws Exception {
    server.thenRespond(Response.of(500), Response.of(502), Response.of(503));
    try (TestWriter sink =
        new TestWriter(
            options(server.url())
                .initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofMillis(250))
                .build())) {
      sink.write(1);

      sink.writer.flush(false);

      assertThat(server.requests()).hasSize(4);
      assertThat(server.between(0, 1)).isBetween(Duration.ofMillis(90), Duration.ofMillis(190));
      assertThat(server.between(1, 2)).isBetween(Duration.ofMillis(190), Duration.ofMillis(290));
      assertThat(server.between(2, 3)).isBetween(Duration.ofMillis(240), Duration.ofMillis(340));
    }
  }

  @Test
  void retriesWhileTheServerIsUnreachable() throws Exception {
    int port = FreePorts.pick();
    try (TestWriter sink =
        new TestWriter(options("http://127.0.0.1:" + port).maxRetries(100).build())) {
      sink.write(1);
      Thread flusher = new Thread(() -> flushQuietly(sink));
      flusher.start();
      Thread.sleep(300);

      try (RecordingServer late = new RecordingServer(port)) {
        flusher.join(5_000);

        assertThat(late.acceptedLines()).containsExactly(line(1));
        assertThat(sink.metrics.retries()).isPositive();
      }
    }
  }

  @Test
  void failsTheWriterOnceRetriesAreExhausted() throws Exception {
    server.respondWith(r -> Response.of(503, "overloaded"));
    try (TestWriter sink = new TestWriter(options(server.url()).maxRetries(2).build())) {
      sink.write(1);

      assertThatThrownBy(() -> sink.writer.flush(false))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("failed after 2 retries")
          .hasMessageContaining("503 overloaded");
      assertThat(server.requests()).hasSize(3);
      assertThatThrownBy(() -> sink.write(2)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void failsTheWriterAtOnceWhenTheServerRefusesTheCredentials() throws Exception {
    server.respondWith(r -> Response.of(401, "{\"error\":\"authorization failed\"}"));
    try (TestWriter sink = new TestWriter(options(server.url()).build())) {
      sink.write(1);

      assertThatThrownBy(() -> sink.writer.flush(false))
          .hasMessageContaining("HTTP 401")
          .hasMessageContaining("authorization failed");
      assertThat(server.requests()).hasSize(1);
    }
  }

  private static void flushQuietly(TestWriter sink) {
    try {
      sink.writer.flush(false);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
