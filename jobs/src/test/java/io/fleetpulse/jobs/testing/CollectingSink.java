package io.fleetpulse.jobs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that keeps what it receives in this JVM, for MiniCluster tests (the Flink training's
 * {@code TestSink} pattern). Each instance has its own id, so tests running side by side never see
 * each other's records; records are copied on arrival because jobs run with object reuse.
 *
 * @param <T> the record type
 */
public final class CollectingSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;
  private static final Map<String, List<Object>> RECEIVED = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final Copier<T> copier;

  /** A copy function, so that a reused record is not changed after it was collected. */
  @FunctionalInterface
  public interface Copier<T> extends java.io.Serializable {
    T copy(T record);
  }

  public CollectingSink(Copier<T> copier) {
    this.copier = copier;
    RECEIVED.put(id, new CopyOnWriteArrayList<>());
  }

  /** What arrived so far, in arrival order. */
  @SuppressWarnings("unchecked")
  public List<T> received() {
    return new ArrayList<>((List<T>) (List<?>) RECEIVED.get(id));
  }

  /** Forgets what arrived. */
  public void clear() {
    RECEIVED.get(id).clear();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    List<Object> target = RECEIVED.get(id);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context context) {
        target.add(copier.copy(element));
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }

  @Override
  @Deprecated
  public SinkWriter<T> createWriter(InitContext context) {
    throw new UnsupportedOperationException("Flink 1.20 calls createWriter(WriterInitContext)");
  }
}
