package io.fleetpulse.jobs.dlq;

import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import java.nio.charset.StandardCharsets;

/** Builds dead letters for telemetry rejected after parsing, when the original bytes are gone. */
public final class DeadLetters {

  private DeadLetters() {}

  /**
   * A dead letter carrying {@code telemetry} re-encoded as JSON (the same content the device sent)
   * and keyed by its device.
   */
  public static DeadLetter of(
      Telemetry telemetry, RejectReason reason, String detail, String sourceTopic) {
    DeadLetter letter = new DeadLetter();
    letter.setKey(telemetry.getDeviceId().getBytes(StandardCharsets.UTF_8));
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
