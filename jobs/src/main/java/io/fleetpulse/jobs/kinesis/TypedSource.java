package io.fleetpulse.jobs.kinesis;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source that names its element type: {@code KinesisStreamsSource} 4.3.0 does not, and a job
 * taking any {@link Source} cannot name it for each connector. Everything else is the wrapped
 * source's, so checkpoints are the wrapped source's too.
 */
public class TypedSource<T, S extends SourceSplit, E>
    implements Source<T, S, E>, ResultTypeQueryable<T> {

  private static final long serialVersionUID = 1L;

  private final Source<T, S, E> source;
  private final TypeInformation<T> type;

  public TypedSource(Source<T, S, E> source, TypeInformation<T> type) {
    this.source = source;
    this.type = type;
  }

  @Override
  public Boundedness getBoundedness() {
    return source.getBoundedness();
  }

  @Override
  public SourceReader<T, S> createReader(SourceReaderContext readerContext) throws Exception {
    return source.createReader(readerContext);
  }

  @Override
  public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> enumContext)
      throws Exception {
    return source.createEnumerator(enumContext);
  }

  @Override
  public SplitEnumerator<S, E> restoreEnumerator(
      SplitEnumeratorContext<S> enumContext, E checkpoint) throws Exception {
    return source.restoreEnumerator(enumContext, checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<S> getSplitSerializer() {
    return source.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
    return source.getEnumeratorCheckpointSerializer();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return type;
  }
}
