package io.fleetpulse.jobs.testing;

import io.fleetpulse.jobs.runtime.JobEnvironment;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Job test environments: {@link JobEnvironment}'s configuration (object reuse, no Kryo,
 * checkpointing), plus a restart strategy of none so that a failure fails the test.
 */
public final class TestEnvironments {

  private TestEnvironments() {}

  /** The environment of the surrounding MiniCluster, set up as {@code main} sets it up. */
  public static StreamExecutionEnvironment of(Configuration jobConfiguration, int parallelism) {
    Configuration conf = new Configuration(jobConfiguration);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = JobEnvironment.create(conf);
    env.setParallelism(parallelism);
    return env;
  }

  /** {@link #of} with a heap backend and 1 s checkpoints. */
  public static StreamExecutionEnvironment heap(int parallelism) {
    return of(JobEnvironment.configuration(Duration.ofSeconds(1), "hashmap", null), parallelism);
  }
}
