package io.fleetpulse.devstack.sim;

import io.fleetpulse.devstack.sim.DeviceSimulator.Incident;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** What the simulated fleet did so far; counters are read while it runs. */
public final class SimulatorStats {

  final AtomicLong online = new AtomicLong();
  final AtomicLong telemetry = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong outOfOrder = new AtomicLong();
  final AtomicLong reboots = new AtomicLong();
  final AtomicLong shadowReports = new AtomicLong();
  final AtomicLong shadowRejected = new AtomicLong();
  final AtomicLong deltasApplied = new AtomicLong();
  final AtomicLong commandsAcked = new AtomicLong();
  final AtomicLong historyBatches = new AtomicLong();
  final AtomicLong historyReadings = new AtomicLong();
  final AtomicLong historyDropped = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  private final List<Incident> incidents = new ArrayList<>();

  synchronized void incident(Incident incident) {
    incidents.add(incident);
  }

  /** Anomalies injected and silences begun, in the order they started. */
  public synchronized List<Incident> incidents() {
    return List.copyOf(incidents);
  }

  /** Devices connected and reporting now. */
  public long online() {
    return online.get();
  }

  /** Telemetry messages published, repeats included (a history batch counts once). */
  public long telemetry() {
    return telemetry.get();
  }

  /** Telemetry messages sent a second time. */
  public long duplicates() {
    return duplicates.get();
  }

  /** Telemetry messages sent after their successor. */
  public long outOfOrder() {
    return outOfOrder.get();
  }

  /** Reboots (sequence numbers start again at 0). */
  public long reboots() {
    return reboots.get();
  }

  /** Shadow updates (reported state) published. */
  public long shadowReports() {
    return shadowReports.get();
  }

  /** Shadow deltas received and applied. */
  public long deltasApplied() {
    return deltasApplied.get();
  }

  /** Commands acknowledged (done, expired or unsupported). */
  public long commandsAcked() {
    return commandsAcked.get();
  }

  /** History upload messages (batches) published after silences. */
  public long historyBatches() {
    return historyBatches.get();
  }

  /** Readings uploaded in history batches. */
  public long historyReadings() {
    return historyReadings.get();
  }

  /** Readings dropped from a full backlog (never uploaded). */
  public long historyDropped() {
    return historyDropped.get();
  }

  /** Messages the devices could not read or build. */
  public long errors() {
    return errors.get();
  }

  /** One summary line. */
  public String summary() {
    return String.format(
        "online %d, telemetry %d (repeats %d, reordered %d), reboots %d, shadow reports %d,"
            + " deltas applied %d, commands acked %d, incidents %d, history batches %d (%d"
            + " readings)",
        online(),
        telemetry(),
        duplicates(),
        outOfOrder(),
        reboots(),
        shadowReports(),
        deltasApplied(),
        commandsAcked(),
        incidents().size(),
        historyBatches(),
        historyReadings());
  }
}
