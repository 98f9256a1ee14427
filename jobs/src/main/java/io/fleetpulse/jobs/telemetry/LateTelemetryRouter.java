package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
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
    String detail =
        "ts "
            + telemetry.getTs()
            + " is behind the watermark "
            + ctx.timerService().currentWatermark()
            + " by more than the allowed lateness";
    out.collect(DeadLetters.of(telemetry, RejectReason.LATE, detail, sourceTopic));
  }
}
