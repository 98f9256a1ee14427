package io.fleetpulse.jobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Bounded in-memory sources for jobs tested through their constructors (the Flink training's {@code
 * ParallelTestSource} pattern, on Flink's own {@link DataGeneratorSource}). The elements travel in
 * the job graph serialized with their Flink serializer, so they need not be {@code Serializable};
 * one reader emits them in list order (use parallelism 1 where order matters).
 */
public final class TestSources {

  private TestSources() {}

  /**
   * A bounded source of exactly {@code elements}, in order. Not empty: Flink 1.20's generator
   * source asks for element 0 even with a count of 0.
   */
  public static <T> Source<T, ?, ?> of(List<T> elements, TypeInformation<T> type) {
    if (elements.isEmpty()) {
      throw new IllegalArgumentException("a test source needs at least one element");
    }
    TypeSerializer<T> serializer = type.createSerializer(new SerializerConfigImpl());
    byte[][] encoded = new byte[elements.size()][];
    DataOutputSerializer out = new DataOutputSerializer(256);
    try {
      for (int i = 0; i < encoded.length; i++) {
        out.clear();
        serializer.serialize(elements.get(i), out);
        encoded[i] = out.getCopyOfBuffer();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DataGeneratorSource<>(
        new Decoder<>(encoded, serializer), encoded.length, RateLimiterStrategy.noOp(), type);
  }

  /** Turns an index back into its element. */
  private static final class Decoder<T> implements GeneratorFunction<Long, T> {
    private static final long serialVersionUID = 1L;
    private final byte[][] encoded;
    private final TypeSerializer<T> serializer;

    Decoder(byte[][] encoded, TypeSerializer<T> serializer) {
      this.encoded = encoded;
      this.serializer = serializer;
    }

    @Override
    public T map(Long index) throws Exception {
      return serializer.deserialize(new DataInputDeserializer(encoded[Math.toIntExact(index)]));
    }
  }
}
