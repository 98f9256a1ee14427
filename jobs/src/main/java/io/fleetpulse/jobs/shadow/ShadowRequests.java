package io.fleetpulse.jobs.shadow;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.DeviceIds;
import io.fleetpulse.model.RejectReason;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads shadow requests from {@code iot.shadow.reported} / {@code iot.shadow.desired}: the key is
 * the device id, header {@value #OP_HEADER} the operation ({@code update} when absent, as the
 * bridge writes {@code devices/{id}/shadow/update}), header {@value #NAME_HEADER} the name of a
 * named shadow. The body stays raw: the shadow operator answers bad JSON the way AWS does.
 */
public final class ShadowRequests implements KafkaRecordDeserializationSchema<ShadowRequest> {

  public static final String OP_HEADER = "shadow.op";
  public static final String NAME_HEADER = "shadow.name";
  public static final String UPDATE = "update";
  public static final String GET = "get";
  public static final String DELETE = "delete";

  /** AWS's rule for shadow names. */
  private static final Pattern SHADOW_NAME = Pattern.compile("[a-zA-Z0-9:_-]{1,64}");

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ShadowRequest> out) {
    out.collect(parse(record));
  }

  /** The request in {@code record}, or a dead letter saying why it addresses no shadow. */
  public static ShadowRequest parse(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      return ShadowRequest.invalid(
          DeadLetters.of(record, RejectReason.MISSING_DEVICE_ID, "record has no key (device id)"));
    }
    String deviceId = Utf8.string(record.key());
    if (!DeviceIds.isValid(deviceId)) {
      return ShadowRequest.invalid(
          DeadLetters.of(record, RejectReason.INVALID_DEVICE_ID, DeviceIds.problem(deviceId)));
    }
    String op = header(record, OP_HEADER);
    op = op == null ? UPDATE : op;
    if (!op.equals(UPDATE) && !op.equals(GET) && !op.equals(DELETE)) {
      return ShadowRequest.invalid(
          DeadLetters.of(
              record,
              RejectReason.INVALID_SHADOW_OP,
              OP_HEADER + " must be update, get or delete: " + op));
    }
    String name = header(record, NAME_HEADER);
    if (name != null && !SHADOW_NAME.matcher(name).matches()) {
      return ShadowRequest.invalid(
          DeadLetters.of(
              record,
              RejectReason.INVALID_SHADOW_NAME,
              "shadow names are 1 to 64 characters of a-z A-Z 0-9 : _ -: " + name));
    }
    return ShadowRequest.of(deviceId, name, op, record.value());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null ? null : Utf8.string(header.value());
  }

  @Override
  public TypeInformation<ShadowRequest> getProducedType() {
    return ShadowRequest.TYPE;
  }
}
