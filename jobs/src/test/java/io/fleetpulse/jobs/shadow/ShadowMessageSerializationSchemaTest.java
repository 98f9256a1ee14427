package io.fleetpulse.jobs.shadow;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class ShadowMessageSerializationSchemaTest {

  private static final byte[] BODY = "{\"version\":3}".getBytes(UTF_8);

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), UTF_8);
  }

  @Test
  void documentsAreKeyedPerShadowSoCompactionKeepsEachShadow() {
    var schema = ShadowMessageSerializationSchema.documents("iot.shadows");

    var classic = schema.serialize(new ShadowMessage("d1", null, "document", BODY), null, null);
    var named = schema.serialize(new ShadowMessage("d1", "config", "document", BODY), null, null);

    assertThat(classic.topic()).isEqualTo("iot.shadows");
    assertThat(new String(classic.key(), UTF_8)).isEqualTo("d1");
    assertThat(new String(named.key(), UTF_8)).isEqualTo("d1/name/config");
    assertThat(header(named, ShadowRequests.NAME_HEADER)).isEqualTo("config");
    assertThat(header(named, ShadowMessageSerializationSchema.RESPONSE_HEADER)).isNull();
  }

  @Test
  void aDeletedShadowIsATombstone() {
    var record =
        ShadowMessageSerializationSchema.documents("iot.shadows")
            .serialize(new ShadowMessage("d1", null, "document", null), null, null);

    assertThat(record.value()).isNull();
    assertThat(new String(record.key(), UTF_8)).isEqualTo("d1");
  }

  @Test
  void responsesAreKeyedByDeviceAndCarryTheirKindAndShadowName() {
    var record =
        ShadowMessageSerializationSchema.responses("iot.shadow.responses")
            .serialize(new ShadowMessage("d1", "config", "update/rejected", BODY), null, null);

    assertThat(new String(record.key(), UTF_8)).isEqualTo("d1");
    assertThat(header(record, ShadowMessageSerializationSchema.RESPONSE_HEADER))
        .isEqualTo("update/rejected");
    assertThat(header(record, ShadowRequests.NAME_HEADER)).isEqualTo("config");
    assertThat(record.value()).isEqualTo(BODY);
  }

  @Test
  void deltasAreKeyedByDeviceWithoutAKind() {
    var record =
        ShadowMessageSerializationSchema.deltas("iot.shadow.delta")
            .serialize(new ShadowMessage("d1", null, "delta", BODY), null, null);

    assertThat(new String(record.key(), UTF_8)).isEqualTo("d1");
    assertThat(record.headers().toArray()).isEmpty();
  }
}
