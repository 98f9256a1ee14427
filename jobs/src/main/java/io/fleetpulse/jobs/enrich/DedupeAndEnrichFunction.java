package io.fleetpulse.jobs.enrich;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.telemetry.TelemetryDeadLetters;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Drops repeated messages, then tags telemetry with its device's registry entry (type, site,
 * firmware, status); telemetry of a recalled or disabled device goes to the dead letters.
 *
 * <p>Both steps live in one keyed operator so the pipeline shuffles by device only once.
 */
public final class DedupeAndEnrichFunction
    extends KeyedBroadcastProcessFunction<String, Telemetry, DeviceUpdate, Telemetry> {

  /** Telemetry refused because of its device's registry status. */
  public static final OutputTag<DeadLetter> REFUSED =
      new OutputTag<>("telemetry-refused", DeadLetters.TYPE);

  /** How many recent messages per device dedupe remembers. */
  public static final int DEDUPE_WINDOW = 64;

  private final Duration dedupeHorizon;
  private final String sourceTopic;
  private transient Deduplicator deduplicator;
  private transient Counter duplicates;
  private transient Counter unregistered;
  private transient Counter refused;
  private transient Counter registryUpdates;

  public DedupeAndEnrichFunction(Duration dedupeHorizon, String sourceTopic) {
    this.dedupeHorizon = dedupeHorizon;
    this.sourceTopic = sourceTopic;
  }

  @Override
  public void open(OpenContext openContext) {
    deduplicator = new Deduplicator(getRuntimeContext(), dedupeHorizon, DEDUPE_WINDOW);
    duplicates = getRuntimeContext().getMetricGroup().counter("telemetryDuplicates");
    unregistered = getRuntimeContext().getMetricGroup().counter("telemetryUnregistered");
    refused = getRuntimeContext().getMetricGroup().counter("telemetryRefused");
    registryUpdates = getRuntimeContext().getMetricGroup().counter("registryUpdates");
  }

  @Override
  public void processElement(Telemetry telemetry, ReadOnlyContext ctx, Collector<Telemetry> out)
      throws Exception {
    if (!deduplicator.firstSighting(telemetry)) {
      duplicates.inc();
      return;
    }
    Device device = ctx.getBroadcastState(DeviceRegistry.STATE).get(telemetry.getDeviceId());
    if (device == null) {
      unregistered.inc();
      telemetry.setStatus(DeviceRegistry.UNREGISTERED);
      out.collect(telemetry);
      return;
    }
    DeviceStatus status = device.getStatus() == null ? DeviceStatus.ACTIVE : device.getStatus();
    if (status == DeviceStatus.RECALLED || status == DeviceStatus.DISABLED) {
      RejectReason reason =
          status == DeviceStatus.RECALLED
              ? RejectReason.DEVICE_RECALLED
              : RejectReason.DEVICE_DISABLED;
      refused.inc();
      ctx.output(
          REFUSED,
          TelemetryDeadLetters.of(
              telemetry, reason, "device is " + status + " in the registry", sourceTopic));
      return;
    }
    telemetry.setType(device.getType());
    telemetry.setSite(device.getSite());
    telemetry.setFirmware(device.getFirmware());
    telemetry.setStatus(status.name());
    out.collect(telemetry);
  }

  @Override
  public void processBroadcastElement(DeviceUpdate update, Context ctx, Collector<Telemetry> out)
      throws Exception {
    registryUpdates.inc();
    if (update.isDeletion()) {
      ctx.getBroadcastState(DeviceRegistry.STATE).remove(update.getDeviceId());
    } else {
      ctx.getBroadcastState(DeviceRegistry.STATE).put(update.getDeviceId(), update.getDevice());
    }
  }
}
