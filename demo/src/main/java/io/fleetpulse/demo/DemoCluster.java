package io.fleetpulse.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One Flink MiniCluster with its web UI for every job of the demo: each job is submitted on its
 * own, so the UI shows them apart as on a real cluster.
 */
final class DemoCluster implements AutoCloseable {

  private final MiniCluster cluster;
  private final List<JobID> jobs = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  DemoCluster(int restPort, int slots) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.PORT, restPort);
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
    cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
  }

  /** Submits what was built on {@code env} as job {@code name}. */
  void submit(StreamExecutionEnvironment env, String name) throws Exception {
    var graph = env.getStreamGraph();
    graph.setJobName(name);
    JobGraph job = graph.getJobGraph();
    cluster.submitJob(job).get(60, TimeUnit.SECONDS);
    jobs.add(job.getJobID());
    names.add(name);
  }

  /** The first job that stopped, as "name (STATUS)", or null while all run. */
  String stoppedJob() throws Exception {
    for (int i = 0; i < jobs.size(); i++) {
      JobStatus status = cluster.getJobStatus(jobs.get(i)).get(10, TimeUnit.SECONDS);
      if (status.isGloballyTerminalState()) {
        return names.get(i) + " (" + status + ")";
      }
    }
    return null;
  }

  /** Jobs in RUNNING state. */
  int running() throws Exception {
    int n = 0;
    for (JobID id : jobs) {
      if (cluster.getJobStatus(id).get(10, TimeUnit.SECONDS) == JobStatus.RUNNING) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() throws Exception {
    for (JobID id : jobs) {
      try {
        cluster.cancelJob(id).get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Already finished or failed; closing the cluster ends it anyway.
      }
    }
    cluster.close();
  }
}
