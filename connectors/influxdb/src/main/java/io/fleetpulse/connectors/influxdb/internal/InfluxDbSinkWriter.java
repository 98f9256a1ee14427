package io.fleetpulse.connectors.influxdb.internal;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.client.write.PointSettings;
import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import io.fleetpulse.connectors.influxdb.PointConverter;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers the lines of incoming points on the task thread and hands full (or old enough) batches to
 * at most {@code maxInFlightRequests} sender threads; when all are busy, {@link #write} waits,
 * which is the backpressure. A sender's fatal error fails the next {@link #write} or {@link
 * #flush}.
 */
public final class InfluxDbSinkWriter<T> implements SinkWriter<T> {

  private static final Logger LOG = LoggerFactory.getLogger(InfluxDbSinkWriter.class);
  private static final PointSettings NO_DEFAULT_TAGS = new PointSettings();
  private static final AtomicInteger WRITERS = new AtomicInteger();

  private final PointConverter<T> converter;
  private final int batchSize;
  private final long flushIntervalMs;
  private final int maxInFlight;
  private final ProcessingTimeService time;
  private final BatchSender sender;
  private final SinkMetrics metrics;
  private final ExecutorService senders;
  private final Semaphore inFlight;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private List<String> buffer;
  private long bufferStartedAt;
  private boolean timerPending;

  InfluxDbSinkWriter(
      InfluxDbSinkOptions options,
      PointConverter<T> converter,
      ProcessingTimeService time,
      SinkMetrics metrics) {
    this.converter = converter;
    this.batchSize = options.batchSize();
    this.flushIntervalMs = options.flushInterval().toMillis();
    this.maxInFlight = options.maxInFlightRequests();
    this.time = time;
    this.metrics = metrics;
    this.inFlight = new Semaphore(maxInFlight);
    this.buffer = new ArrayList<>(batchSize);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(options.requestTimeout())
            .build();
    this.sender = new BatchSender(options, http, metrics);
    String threadName = "influxdb-sink-" + WRITERS.incrementAndGet();
    this.senders = Executors.newFixedThreadPool(maxInFlight, new ExecutorThreadFactory(threadName));
  }

  /** A writer for a running sink: metrics on the sink's group, timers on the task's time. */
  public static <T> InfluxDbSinkWriter<T> create(
      InfluxDbSinkOptions options,
      PointConverter<T> converter,
      ProcessingTimeService time,
      SinkWriterMetricGroup group) {
    return new InfluxDbSinkWriter<>(
        options, converter, time, new SinkMetrics(group, group.getNumRecordsSendCounter()));
  }

  @Override
  public void write(T element, Context context) throws IOException, InterruptedException {
    checkFailure();
    for (Point point : converter.toPoints(element)) {
      if (!point.hasFields()) {
        metrics.dropped(1);
        LOG.warn("Point without fields cannot be written, dropped: {}", point.toLineProtocol());
        continue;
      }
      if (buffer.isEmpty()) {
        bufferStartedAt = time.getCurrentProcessingTime();
        scheduleFlush(bufferStartedAt + flushIntervalMs);
      }
      buffer.add(point.toLineProtocol(NO_DEFAULT_TAGS, WritePrecision.MS));
      if (buffer.size() >= batchSize) {
        dispatch();
      }
    }
  }

  /** Sends what is buffered and returns once every batch sent so far is written or dropped. */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    if (!buffer.isEmpty()) {
      dispatch();
    }
    inFlight.acquire(maxInFlight);
    inFlight.release(maxInFlight);
    checkFailure();
  }

  @Override
  public void close() throws Exception {
    senders.shutdownNow();
    if (!senders.awaitTermination(10, TimeUnit.SECONDS)) {
      LOG.warn("InfluxDB sender threads did not stop within 10 s");
    }
  }

  private void dispatch() throws IOException, InterruptedException {
    List<String> batch = buffer;
    buffer = new ArrayList<>(batchSize);
    // Wait for a free request slot, but wake up to report a sender's failure.
    while (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
      checkFailure();
    }
    try {
      checkFailure();
      senders.execute(() -> send(batch));
    } catch (IOException | RuntimeException e) {
      inFlight.release();
      throw e;
    }
  }

  private void send(List<String> batch) {
    try {
      sender.send(batch);
    } catch (InterruptedException e) {
      failure.compareAndSet(null, e);
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    } finally {
      inFlight.release();
    }
  }

  private void scheduleFlush(long at) {
    if (!timerPending) {
      timerPending = true;
      time.registerTimer(at, now -> onFlushTimer());
    }
  }

  private void onFlushTimer() throws IOException, InterruptedException {
    timerPending = false;
    if (buffer.isEmpty()) {
      return;
    }
    long due = bufferStartedAt + flushIntervalMs;
    if (time.getCurrentProcessingTime() >= due) {
      dispatch();
    } else {
      // A size-triggered send emptied the buffer since this timer was set; wait for the new one.
      scheduleFlush(due);
    }
  }

  private void checkFailure() throws IOException {
    Throwable t = failure.get();
    if (t != null) {
      throw new IOException("InfluxDB sink failed: " + t.getMessage(), t);
    }
  }
}
