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
    DeadLetter letter = new DeadLetter();
    // A dead letter must always fit the DLQ: one too large for the producer would fail the sink
    // and send the job into a restart loop over the same record.
    boolean truncated = false;
    byte[] key = record.key();
    if (key != null && key.length > MAX_KEY_BYTES) {
      key = Arrays.copyOf(key, MAX_KEY_BYTES);
      truncated = true;
    }
    byte[] value = record.value();
    if (value != null && value.length > MAX_VALUE_BYTES) {
      value = Arrays.copyOf(value, MAX_VALUE_BYTES);
      truncated = true;
    }
    letter.setKey(key);
    letter.setValue(value);
    letter.setReason(reason.code());
    letter.setDetail(shorten(detail));
    letter.setSourceTopic(record.topic());
    letter.setSourcePartition(record.partition());
    letter.setSourceOffset(record.offset());
    letter.setFailedAt(System.currentTimeMillis());
    Header[] all = record.headers().toArray();
    int kept = 0;
    long bytes = 0;
    while (kept < all.length) {
      byte[] v = all[kept].value();
      bytes += all[kept].key().length() + (v == null ? 0 : v.length);
      if (bytes > MAX_HEADER_BYTES) {
        truncated = true;
        break;
      }
      kept++;
    }
    String[] names = new String[kept];
    byte[][] values = new byte[kept][];
    for (int i = 0; i < kept; i++) {
      names[i] = all[i].key();
      values[i] = all[i].value();
    }
    letter.setHeaderNames(names);
    letter.setHeaderValues(values);
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
