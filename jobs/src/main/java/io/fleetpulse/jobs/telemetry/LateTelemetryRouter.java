package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns telemetry that arrived after its window closed (beyond the allowed lateness) into dead
 * letters with reason {@code late}, counted in {@code telemetryLate}: late data is never dropped
 * silently.
 */
public final class LateTelemetryRouter extends ProcessFunction<Telemetry, DeadLetter> {

  private final String sourceTopic;
  private transient Counter late;

  public LateTelemetryRouter(String sourceTopic) {
    this.sourceTopic = sourceTopic;
  }

  @Override
  public void open(OpenContext openContext) {
    late = getRuntimeContext().getMetricGroup().counter("telemetryLate");
  }

  @Override
  public void processElement(Telemetry telemetry, Context ctx, Collector<DeadLetter> out) {
    late.inc();
    DeadLetter letter = new DeadLetter();
    letter.setKey(telemetry.getDeviceId().getBytes(StandardCharsets.UTF_8));
    // The original bytes are gone after parsing; the re-encoded message carries the same content.
    letter.setValue(ModelJson.toBytes(telemetry));
    letter.setReason(RejectReason.LATE.code());
    Long watermark = ctx.timerService().currentWatermark();
    letter.setDetail(
        "ts "
            + telemetry.getTs()
            + " is behind the watermark "
            + watermark
            + " beyond the allowed lateness");
    letter.setSourceTopic(sourceTopic);
    letter.setSourcePartition(-1);
    letter.setSourceOffset(-1);
    letter.setFailedAt(System.currentTimeMillis());
    letter.setHeaderNames(new String[0]);
    letter.setHeaderValues(new byte[0][]);
    out.collect(letter);
  }
}
