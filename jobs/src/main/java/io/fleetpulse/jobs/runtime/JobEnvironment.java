package io.fleetpulse.jobs.runtime;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one way every FleetPulse job's execution environment is set up — by {@code main}, the demo,
 * the benchmarks and the tests alike, so that the configuration users run is the one tested.
 */
public final class JobEnvironment {

  /**
   * Pinned so that a job restored from a savepoint with another parallelism keeps its keyed state
   * (Flink derives it from the first parallelism otherwise).
   */
  public static final int MAX_PARALLELISM = 128;

  private JobEnvironment() {}

  /**
   * The Flink settings of a FleetPulse job: checkpointing every {@code checkpointInterval},
   * checkpoints kept on cancellation, the state backend ({@code hashmap} or {@code rocksdb}) and
   * checkpoint storage ({@code checkpointDir}, null for the cluster's), object reuse, no generic
   * (Kryo) types, a pinned max parallelism.
   */
  public static Configuration configuration(
      Duration checkpointInterval, String stateBackend, String checkpointDir) {
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
    if (checkpointDir != null) {
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
    }
    // Safe: a record is changed only by the operator that receives it from the network, before it
    // passes it on, and no operator keeps a record after passing it on.
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    // Every type on the wire has explicit type information; a Kryo fallback is a bug, not a
    // slowdown.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(PipelineOptions.MAX_PARALLELISM, MAX_PARALLELISM);
    return conf;
  }

  /** The environment of the cluster the job is submitted to, with {@link #configuration}. */
  public static StreamExecutionEnvironment create(Configuration conf) {
    return StreamExecutionEnvironment.getExecutionEnvironment(conf);
  }
}
