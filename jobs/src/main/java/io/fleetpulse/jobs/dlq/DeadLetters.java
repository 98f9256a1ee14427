package io.fleetpulse.jobs.dlq;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** The one place dead letters are built, and their Flink type. */
public final class DeadLetters {

  /** The Flink type of {@link DeadLetter}: a POJO, serialized without Kryo. */
  public static final TypeInformation<DeadLetter> TYPE = Types.POJO(DeadLetter.class);

  /** Longest key kept in a dead letter: a device id is at most 128 bytes. */
  public static final int MAX_KEY_BYTES = 1024;

  /** Longest value kept: well under the producer's default 1 MiB request limit. */
  public static final int MAX_VALUE_BYTES = 256 * 1024;

  /** Most bytes of original headers kept; beyond it, later headers are left out. */
  public static final int MAX_HEADER_BYTES = 64 * 1024;

  /** Longest detail text, in characters. */
  public static final int MAX_DETAIL_CHARS = 1024;

  private DeadLetters() {}

  /** The dead letter of a Kafka record refused for {@code reason}: its key, bytes and headers. */
  public static DeadLetter of(
      ConsumerRecord<byte[], byte[]> record, RejectReason reason, String detail) {
    Header[] all = record.headers().toArray();
    String[] names = new String[all.length];
    byte[][] values = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].key();
      values[i] = all[i].value();
    }
    return of(
        record.key(),
        record.value(),
        names,
        values,
        record.topic(),
        record.partition(),
        record.offset(),
        reason,
        detail);
  }

  /**
   * The dead letter of a record from any source (a Kafka topic, a Kinesis stream) refused for
   * {@code reason}: its key, bytes and headers, cut to fit the DLQ, and where it came from ({@code
   * sourceOffset} -1 where the source has no offset that fits a long).
   */
  public static DeadLetter of(
      byte[] key,
      byte[] value,
      String[] headerNames,
      byte[][] headerValues,
      String sourceTopic,
      int sourcePartition,
      long sourceOffset,
      RejectReason reason,
      String detail) {
    DeadLetter letter = new DeadLetter();
    // A dead letter must always fit the DLQ: one too large for the producer would fail the sink
    // and send the job into a restart loop over the same record.
    boolean truncated = false;
    if (key != null && key.length > MAX_KEY_BYTES) {
      key = Arrays.copyOf(key, MAX_KEY_BYTES);
      truncated = true;
    }
    if (value != null && value.length > MAX_VALUE_BYTES) {
      value = Arrays.copyOf(value, MAX_VALUE_BYTES);
      truncated = true;
    }
    letter.setKey(key);
    letter.setValue(value);
    letter.setReason(reason.code());
    letter.setDetail(shorten(detail));
    letter.setSourceTopic(sourceTopic);
    letter.setSourcePartition(sourcePartition);
    letter.setSourceOffset(sourceOffset);
    letter.setFailedAt(System.currentTimeMillis());
    int kept = 0;
    long bytes = 0;
    while (kept < headerNames.length) {
      byte[] v = headerValues[kept];
      bytes += headerNames[kept].length() + (v == null ? 0 : v.length);
      if (bytes > MAX_HEADER_BYTES) {
        truncated = true;
        break;
      }
      kept++;
    }
    letter.setHeaderNames(Arrays.copyOf(headerNames, kept));
    letter.setHeaderValues(Arrays.copyOf(headerValues, kept));
    letter.setTruncated(truncated);
    return letter;
  }

  /**
   * A dead letter carrying {@code telemetry} re-encoded as JSON (the same content the device sent)
   * and keyed by its device, for telemetry refused after parsing, when the original bytes are gone;
   * it names the source partition and offset the telemetry carries from the Kafka source.
   */
  public static DeadLetter of(
      Telemetry telemetry, RejectReason reason, String detail, String sourceTopic) {
    DeadLetter letter = new DeadLetter();
    letter.setKey(Utf8.bytes(telemetry.getDeviceId()));
    letter.setValue(ModelJson.toBytes(telemetry));
    letter.setReason(reason.code());
    letter.setDetail(shorten(detail));
    letter.setSourceTopic(sourceTopic);
    letter.setSourcePartition(telemetry.getSourcePartition());
    letter.setSourceOffset(telemetry.getSourceOffset());
    letter.setFailedAt(System.currentTimeMillis());
    letter.setHeaderNames(new String[0]);
    letter.setHeaderValues(new byte[0][]);
    return letter;
  }

  private static String shorten(String detail) {
    if (detail == null || detail.length() <= MAX_DETAIL_CHARS) {
      return detail;
    }
    return detail.substring(0, MAX_DETAIL_CHARS) + "... (" + detail.length() + " characters)";
  }
}
