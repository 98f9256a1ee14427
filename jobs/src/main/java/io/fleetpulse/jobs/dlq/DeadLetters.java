package io.fleetpulse.jobs.dlq;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** The one place dead letters are built, and their Flink type. */
public final class DeadLetters {

  /** The Flink type of {@link DeadLetter}: a POJO, serialized without Kryo. */
  public static final TypeInformation<DeadLetter> TYPE = Types.POJO(DeadLetter.class);

  private DeadLetters() {}

  /** The dead letter of a Kafka record refused for {@code reason}: its key, bytes and headers. */
  public static DeadLetter of(
      ConsumerRecord<byte[], byte[]> record, RejectReason reason, String detail) {
    DeadLetter letter = new DeadLetter();
    letter.setKey(record.key());
    letter.setValue(record.value());
    letter.setReason(reason.code());
    letter.setDetail(detail);
    letter.setSourceTopic(record.topic());
    letter.setSourcePartition(record.partition());
    letter.setSourceOffset(record.offset());
    letter.setFailedAt(System.currentTimeMillis());
    Header[] all = record.headers().toArray();
    String[] names = new String[all.length];
    byte[][] values = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].key();
      values[i] = all[i].value();
    }
    letter.setHeaderNames(names);
    letter.setHeaderValues(values);
    return letter;
  }

  /**
   * A dead letter carrying {@code telemetry} re-encoded as JSON (the same content the device sent)
   * and keyed by its device, for telemetry refused after parsing, when the original bytes are gone.
   */
  public static DeadLetter of(
      Telemetry telemetry, RejectReason reason, String detail, String sourceTopic) {
    DeadLetter letter = new DeadLetter();
    letter.setKey(Utf8.bytes(telemetry.getDeviceId()));
    letter.setValue(ModelJson.toBytes(telemetry));
    letter.setReason(reason.code());
    letter.setDetail(detail);
    letter.setSourceTopic(sourceTopic);
    letter.setSourcePartition(-1);
    letter.setSourceOffset(-1);
    letter.setFailedAt(System.currentTimeMillis());
    letter.setHeaderNames(new String[0]);
    letter.setHeaderValues(new byte[0][]);
    return letter;
  }
}
