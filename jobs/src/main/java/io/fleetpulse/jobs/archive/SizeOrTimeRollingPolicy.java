package io.fleetpulse.jobs.archive;

import io.fleetpulse.model.Telemetry;
import java.io.IOException;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.CheckpointRollingPolicy;

/**
 * Rolls a part file on every checkpoint (bulk formats must: that is when files are committed), and
 * also when it reaches a size or an age, so that files stay a size query engines like.
 */
final class SizeOrTimeRollingPolicy extends CheckpointRollingPolicy<Telemetry, String> {

  private static final long serialVersionUID = 1L;

  private final long maxBytes;
  private final long maxAgeMs;

  SizeOrTimeRollingPolicy(long maxBytes, long maxAgeMs) {
    this.maxBytes = maxBytes;
    this.maxAgeMs = maxAgeMs;
  }

  @Override
  public boolean shouldRollOnEvent(PartFileInfo<String> partFile, Telemetry element)
      throws IOException {
    return partFile.getSize() >= maxBytes;
  }

  @Override
  public boolean shouldRollOnProcessingTime(PartFileInfo<String> partFile, long currentTime) {
    return currentTime - partFile.getCreationTime() >= maxAgeMs;
  }
}
