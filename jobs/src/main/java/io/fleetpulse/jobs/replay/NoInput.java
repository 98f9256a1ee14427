package io.fleetpulse.jobs.replay;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source of nothing: what a replay reads where the archive holds nothing (users' alert
 * actions, other jobs' signals). Flink's generator source cannot be empty in 1.20.
 */
final class NoInput<T> implements Source<T, NoInput.NoSplit, Integer>, ResultTypeQueryable<T> {

  private static final long serialVersionUID = 1L;

  private final TypeInformation<T> type;

  NoInput(TypeInformation<T> type) {
    this.type = type;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  @Override
  public SourceReader<T, NoSplit> createReader(SourceReaderContext context) {
    return new SourceReader<>() {
      // Ends only once the enumerator said so: a reader that finished before the coordinator's
      // NoMoreSplits event arrived makes Flink fail the task over ("an OperatorEvent ... was
      // lost").
      private final CompletableFuture<Void> noMoreSplits = new CompletableFuture<>();

      @Override
      public void start() {}

      @Override
      public InputStatus pollNext(ReaderOutput<T> output) {
        return noMoreSplits.isDone() ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
      }

      @Override
      public List<NoSplit> snapshotState(long checkpointId) {
        return List.of();
      }

      @Override
      public CompletableFuture<Void> isAvailable() {
        return noMoreSplits;
      }

      @Override
      public void addSplits(List<NoSplit> splits) {}

      @Override
      public void notifyNoMoreSplits() {
        noMoreSplits.complete(null);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public SplitEnumerator<NoSplit, Integer> createEnumerator(
      SplitEnumeratorContext<NoSplit> context) {
    return new SplitEnumerator<>() {
      @Override
      public void start() {}

      @Override
      public void handleSplitRequest(int subtaskId, String requesterHostname) {}

      @Override
      public void addSplitsBack(List<NoSplit> splits, int subtaskId) {}

      @Override
      public void addReader(int subtaskId) {
        context.signalNoMoreSplits(subtaskId);
      }

      @Override
      public Integer snapshotState(long checkpointId) {
        return 0;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public SplitEnumerator<NoSplit, Integer> restoreEnumerator(
      SplitEnumeratorContext<NoSplit> context, Integer checkpoint) {
    return createEnumerator(context);
  }

  @Override
  public SimpleVersionedSerializer<NoSplit> getSplitSerializer() {
    return new Empty<>(new NoSplit());
  }

  @Override
  public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
    return new Empty<>(0);
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return type;
  }

  /** The split there never is. */
  static final class NoSplit implements SourceSplit {
    @Override
    public String splitId() {
      return "none";
    }
  }

  /** Stores nothing: there is one value. */
  private static final class Empty<V> implements SimpleVersionedSerializer<V> {
    private final V value;

    Empty(V value) {
      this.value = value;
    }

    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(V v) {
      return new byte[0];
    }

    @Override
    public V deserialize(int version, byte[] serialized) {
      return value;
    }
  }
}
