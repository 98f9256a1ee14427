package io.fleetpulse.connectors.influxdb.internal;

import static io.fleetpulse.connectors.influxdb.internal.TestWriter.line;
import static io.fleetpulse.connectors.influxdb.internal.TestWriter.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.connectors.influxdb.internal.RecordingServer.Response;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BadRequestTest {

  private final RecordingServer server = new RecordingServer();

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void aBadPointIsDroppedAndCountedWhileTheRestOfItsBatchIsWritten() throws Exception {
    server.respondWith(r -> r.body().contains(line(5)) ? Response.of(400, "bad point") : null);
    try (TestWriter sink = new TestWriter(options(server.url()).batchSize(100).build())) {
      sink.write(1, 2, 3, 4, 5, 6, 7, 8);

      sink.writer.flush(false);

      assertThat(sink.metrics.failures()).isEqualTo(1);
      assertThat(sink.metrics.retries()).isZero();
      assertThat(server.acceptedLines())
          .containsExactlyInAnyOrder(line(1), line(2), line(3), line(4), line(6), line(7), line(8));
    }
  }

  @Test
  void theWriterGoesOnAfterABadPoint() throws Exception {
    server.respondWith(r -> r.body().contains(line(1)) ? Response.of(400, "bad point") : null);
    try (TestWriter sink = new TestWriter(options(server.url()).build())) {
      sink.write(1);
      sink.writer.flush(false);

      sink.write(2);
      sink.writer.flush(false);

      assertThat(server.acceptedLines()).containsExactly(line(2));
      assertThat(sink.metrics.failures()).isEqualTo(1);
      assertThat(sink.metrics.pointsWritten()).isEqualTo(1);
    }
  }

  @Test
  void scatteredBadLinesInALargeBatchLoseNoGoodPoint() throws Exception {
    // Like a server that rejects a whole request for one bad line (no partial writes).
    Set<String> bad = new HashSet<>();
    for (long i = 0; i < 8; i++) {
      bad.add(line(317 + i * 611));
    }
    server.respondWith(
        r -> r.lines().stream().anyMatch(bad::contains) ? Response.of(400, "bad line") : null);
    try (TestWriter sink = new TestWriter(options(server.url()).batchSize(5_000).build())) {
      sink.write(LongStream.range(0, 5_000).toArray());

      sink.writer.flush(false);

      assertThat(sink.metrics.failures()).isEqualTo(8);
      assertThat(new HashSet<>(server.acceptedLines()))
          .hasSize(4_992)
          .doesNotContainAnyElementsOf(bad);
      assertThat(sink.metrics.pointsWritten()).isEqualTo(4_992);
    }
  }

  @Test
  void aBatchOfBadPointsIsIsolatedLineByLineWithinTwiceItsSizeInRequests() throws Exception {
    server.respondWith(r -> Response.of(400, "everything is bad"));
    try (TestWriter sink = new TestWriter(options(server.url()).batchSize(1_000).build())) {
      sink.write(LongStream.range(0, 1_000).toArray());

      sink.writer.flush(false);

      assertThat(server.requests()).hasSizeLessThan(2 * 1_000);
      assertThat(sink.metrics.failures()).isEqualTo(1_000);
    }
  }

  @Test
  void aTooLargeBatchIsSplitUntilItFits() throws Exception {
    server.respondWith(r -> r.lines().size() > 2 ? Response.of(413, "too large") : null);
    try (TestWriter sink = new TestWriter(options(server.url()).batchSize(8).build())) {
      sink.write(1, 2, 3, 4, 5, 6, 7, 8);

      sink.writer.flush(false);

      assertThat(server.acceptedLines()).hasSize(8);
      assertThat(sink.metrics.failures()).isZero();
    }
  }
}
