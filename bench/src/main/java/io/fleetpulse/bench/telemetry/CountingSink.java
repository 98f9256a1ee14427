package io.fleetpulse.bench.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that only counts, into a JVM-wide counter named {@code name}: the benchmark runs its jobs
 * on a MiniCluster in its own JVM, so a check run can read what reached the sinks.
 */
public final class CountingSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;
  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

  private final String name;

  public CountingSink(String name) {
    this.name = name;
  }

  /** Sets every counter to zero. */
  public static void reset() {
    COUNTS.clear();
  }

  /** What the sinks named {@code name} received since the last {@link #reset()}. */
  public static long count(String name) {
    LongAdder adder = COUNTS.get(name);
    return adder == null ? 0 : adder.sum();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    return new Writer<>(COUNTS.computeIfAbsent(name, n -> new LongAdder()));
  }

  /** Flink 1.20 still requires the old entry point; it is not called when the new one exists. */
  @Override
  @Deprecated
  public SinkWriter<T> createWriter(InitContext context) {
    return new Writer<>(COUNTS.computeIfAbsent(name, n -> new LongAdder()));
  }

  private static final class Writer<T> implements SinkWriter<T> {
    private final LongAdder count;

    Writer(LongAdder count) {
      this.count = count;
    }

    @Override
    public void write(T element, Context context) {
      count.increment();
    }

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {}
  }
}
