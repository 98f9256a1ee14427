package io.fleetpulse.jobs.replay;

import io.fleetpulse.jobs.kinesis.TypedSource;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;

/**
 * A source whose records carry their event time as the Flink record timestamp, for a job that takes
 * its source's timestamps as they are ({@code WatermarkStrategy.noWatermarks()}, as the AnomalyJob
 * does). In BATCH mode every keyed operator gets each key's records sorted by that timestamp: the
 * per-device order a replay of the archive needs, whatever order the part files hold.
 */
public final class EventTimeSource<T, SplitT extends SourceSplit, EnumChkT>
    extends TypedSource<T, SplitT, EnumChkT> {

  private static final long serialVersionUID = 1L;

  private final SerializableTimestampAssigner<T> eventTime;

  public EventTimeSource(
      Source<T, SplitT, EnumChkT> source,
      TypeInformation<T> type,
      SerializableTimestampAssigner<T> eventTime) {
    super(source, type);
    this.eventTime = eventTime;
  }

  @Override
  public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
    return new Reader<>(super.createReader(context), eventTime);
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
