package io.fleetpulse.jobs.replay;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source whose records carry their event time as the Flink record timestamp, for a job that takes
 * its source's timestamps as they are ({@code WatermarkStrategy.noWatermarks()}, as the AnomalyJob
 * does). In BATCH mode every keyed operator gets each key's records sorted by that timestamp: the
 * per-device order a replay of the archive needs, whatever order the part files hold.
 */
public final class EventTimeSource<T, SplitT extends SourceSplit, EnumChkT>
    implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {

  private static final long serialVersionUID = 1L;

  private final Source<T, SplitT, EnumChkT> source;
  private final TypeInformation<T> type;
  private final SerializableTimestampAssigner<T> eventTime;

  public EventTimeSource(
      Source<T, SplitT, EnumChkT> source,
      TypeInformation<T> type,
      SerializableTimestampAssigner<T> eventTime) {
    this.source = source;
    this.type = type;
    this.eventTime = eventTime;
  }

  @Override
  public Boundedness getBoundedness() {
    return source.getBoundedness();
  }

  @Override
  public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
    return new Reader<>(source.createReader(context), eventTime);
  }

  @Override
  public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> context)
      throws Exception {
    return source.createEnumerator(context);
  }

  @Override
  public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
      SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
    return source.restoreEnumerator(context, checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
    return source.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
    return source.getEnumeratorCheckpointSerializer();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return type;
  }

  /** The wrapped reader, emitting into outputs that stamp each record. */
  private static final class Reader<T, SplitT extends SourceSplit>
      implements SourceReader<T, SplitT> {
    private final SourceReader<T, SplitT> reader;
    private final SerializableTimestampAssigner<T> eventTime;
    private ReaderOutput<T> wrappedFor;
    private Stamping<T> stamping;

    Reader(SourceReader<T, SplitT> reader, SerializableTimestampAssigner<T> eventTime) {
      this.reader = reader;
      this.eventTime = eventTime;
    }

    @Override
    public void start() {
      reader.start();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
      if (output != wrappedFor) {
        wrappedFor = output;
        stamping = new Stamping<>(output, eventTime);
      }
      return reader.pollNext(stamping);
    }

    @Override
    public List<SplitT> snapshotState(long checkpointId) {
      return reader.snapshotState(checkpointId);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return reader.isAvailable();
    }

    @Override
    public void addSplits(List<SplitT> splits) {
      reader.addSplits(splits);
    }

    @Override
    public void notifyNoMoreSplits() {
      reader.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
      reader.handleSourceEvents(event);
    }

    @Override
    public void pauseOrResumeSplits(Collection<String> pause, Collection<String> resume) {
      reader.pauseOrResumeSplits(pause, resume);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      reader.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void close() throws Exception {
      reader.close();
    }
  }

  /** An output that gives each record its event time, and its split outputs the same. */
  private static final class Stamping<T> implements ReaderOutput<T> {
    private final ReaderOutput<T> output;
    private final SerializableTimestampAssigner<T> eventTime;

    Stamping(ReaderOutput<T> output, SerializableTimestampAssigner<T> eventTime) {
      this.output = output;
      this.eventTime = eventTime;
    }

    @Override
    public void collect(T record) {
      output.collect(record, eventTime.extractTimestamp(record, Long.MIN_VALUE));
    }

    @Override
    public void collect(T record, long timestamp) {
      output.collect(record, eventTime.extractTimestamp(record, timestamp));
    }

    @Override
    public void emitWatermark(Watermark watermark) {
      output.emitWatermark(watermark);
    }

    @Override
    public void markIdle() {
      output.markIdle();
    }

    @Override
    public void markActive() {
      output.markActive();
    }

    @Override
    public SourceOutput<T> createOutputForSplit(String splitId) {
      SourceOutput<T> split = output.createOutputForSplit(splitId);
      return new SourceOutput<>() {
        @Override
        public void collect(T record) {
          split.collect(record, eventTime.extractTimestamp(record, Long.MIN_VALUE));
        }

        @Override
        public void collect(T record, long timestamp) {
          split.collect(record, eventTime.extractTimestamp(record, timestamp));
        }

        @Override
        public void emitWatermark(Watermark watermark) {
          split.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
          split.markIdle();
        }

        @Override
        public void markActive() {
          split.markActive();
        }
      };
    }

    @Override
    public void releaseOutputForSplit(String splitId) {
      output.releaseOutputForSplit(splitId);
    }
  }
}
