package io.fleetpulse.connectors.influxdb.internal;

import static io.fleetpulse.connectors.influxdb.internal.TestWriter.line;
import static io.fleetpulse.connectors.influxdb.internal.TestWriter.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.connectors.influxdb.internal.RecordingServer.Request;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingTest {

  private final RecordingServer server = new RecordingServer();

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void sendsABatchAsSoonAsItHoldsBatchSizePoints() throws Exception {
    try (TestWriter sink = new TestWriter(options(server.url()).batchSize(3).build())) {
      sink.write(1, 2, 3, 4, 5, 6, 7);

      List<Request> requests = server.awaitRequests(2, Duration.ofSeconds(5));
      assertThat(requests)
          .extracting(Request::lines)
          .containsExactlyInAnyOrder(
              List.of(line(1), line(2), line(3)), List.of(line(4), line(5), line(6)));
    }
  }

  @Test
  void sendsAPartialBatchOnceTheFlushIntervalHasPassed() throws Exception {
    try (TestWriter sink =
        new TestWriter(
            options(server.url()).batchSize(100).flushInterval(Duration.ofSeconds(1)).build())) {
      sink.write(1, 2);

      sink.time.advance(999);
      assertThat(server.awaitRequests(1, Duration.ofMillis(200))).isEmpty();
      sink.time.advance(1);

      assertThat(server.awaitRequests(1, Duration.ofSeconds(5)))
          .extracting(Request::lines)
          .containsExactly(List.of(line(1), line(2)));
    }
  }

  @Test
  void aPointWaitsNoLongerThanTheFlushIntervalAfterASizeTriggeredSend() throws Exception {
    try (TestWriter sink =
        new TestWriter(
            options(server.url()).batchSize(2).flushInterval(Duration.ofSeconds(1)).build())) {
      sink.write(1);
      sink.time.advance(600);
      sink.write(2, 3);
      server.awaitRequests(1, Duration.ofSeconds(5));

      sink.time.advance(400);
      assertThat(server.awaitRequests(2, Duration.ofMillis(200))).hasSize(1);
      sink.time.advance(600);

      assertThat(server.awaitRequests(2, Duration.ofSeconds(5)))
          .extracting(Request::lines)
          .containsExactly(List.of(line(1), line(2)), List.of(line(3)));
    }
  }

  @Test
  void flushSendsWhatIsBuffered() throws Exception {
    try (TestWriter sink = new TestWriter(options(server.url()).batchSize(100).build())) {
      sink.write(1, 2);

      sink.writer.flush(false);

      assertThat(server.requests())
          .extracting(Request::lines)
          .containsExactly(List.of(line(1), line(2)));
      assertThat(sink.metrics.pointsWritten()).isEqualTo(2);
      assertThat(sink.metrics.batches()).isEqualTo(1);
    }
  }
}
