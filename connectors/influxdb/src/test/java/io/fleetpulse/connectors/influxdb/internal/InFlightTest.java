package io.fleetpulse.connectors.influxdb.internal;

import static io.fleetpulse.connectors.influxdb.internal.TestWriter.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InFlightTest {

  private final RecordingServer server = new RecordingServer();

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void flushReturnsOnlyOnceEveryRequestInFlightIsAnswered() throws Exception {
    try (TestWriter sink = new TestWriter(options(server.url()).batchSize(1).build())) {
      server.holdResponses();
      sink.write(1, 2);
      server.awaitRequests(2, Duration.ofSeconds(5));

      CompletableFuture<Void> flush = runAsync(() -> sink.writer.flush(false));
      Thread.sleep(300);
      assertThat(flush).isNotDone();
      server.release();

      flush.get(5, TimeUnit.SECONDS);
      assertThat(sink.metrics.pointsWritten()).isEqualTo(2);
    }
  }

  @Test
  void writeWaitsWhileMaxInFlightRequestsAreUnanswered() throws Exception {
    try (TestWriter sink =
        new TestWriter(options(server.url()).batchSize(1).maxInFlightRequests(2).build())) {
      server.holdResponses();
      sink.write(1, 2);

      CompletableFuture<Void> third = runAsync(() -> sink.write(3));
      Thread.sleep(300);
      assertThat(third).isNotDone();
      assertThat(server.requests()).hasSize(2);
      server.release();

      third.get(5, TimeUnit.SECONDS);
      sink.writer.flush(false);
      assertThat(server.requests()).hasSize(3);
    }
  }

  interface Action {
    void run() throws Exception;
  }

  private static CompletableFuture<Void> runAsync(Action action) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                action.run();
                done.complete(null);
              } catch (Throwable t) {
                done.completeExceptionally(t);
              }
            });
    thread.setDaemon(true);
    thread.start();
    return done;
  }
}
