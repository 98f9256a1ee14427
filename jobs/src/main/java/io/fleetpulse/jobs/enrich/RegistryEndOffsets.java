package io.fleetpulse.jobs.enrich;

import java.io.Serializable;
import java.util.Map;

/**
 * Where the device registry topic ends at the job's start, per partition: telemetry is held until
 * the registry has been read that far, so that the first records are not tagged unregistered.
 */
public interface RegistryEndOffsets extends Serializable {

  /** Partition to end offset (the offset the next record will get); empty: nothing to wait for. */
  Map<Integer, Long> endOffsets() throws Exception;
}
