package io.fleetpulse.jobs.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.core.plugin.PluginUtils;

/**
 * Sets up Flink's file systems for the archive in this process: the {@code archive.s3.*} settings
 * as the {@code s3.*} keys of {@code flink-s3-fs-hadoop}, loaded from a plugins folder as a Flink
 * distribution loads it, so its unrelocated Hadoop, AWS SDK, Guava and Jackson never meet the job's
 * classpath.
 *
 * <p>Flink's file systems are set up once per process: this serves the client (the start-up check)
 * and an embedded run. The TaskManagers of a cluster read {@code s3.*} from the cluster's own
 * configuration.
 */
public final class ArchiveFileSystems {

  private ArchiveFileSystems() {}

  /**
   * {@code base} plus the archive's S3 keys; {@code base} wins for a key it sets itself, so a
   * cluster's own {@code s3.*} settings are never overridden silently.
   */
  public static Configuration configuration(ArchiveConfig archive, Configuration base) {
    Configuration conf = new Configuration();
    for (Map.Entry<String, String> e : archive.s3().flinkKeys().entrySet()) {
      conf.setString(e.getKey(), e.getValue());
    }
    conf.addAll(base);
    return conf;
  }

  /**
   * Sets up the file systems of this process for {@code archive}: the Flink configuration of {@code
   * FLINK_CONF_DIR} (if set) plus the archive's S3 keys, with the plugins of {@code
   * FLINK_PLUGINS_DIR} (default {@code plugins/}) — where a Flink distribution keeps {@code
   * s3-fs-hadoop/}.
   */
  public static void initialize(ArchiveConfig archive) {
    String confDir = System.getenv("FLINK_CONF_DIR");
    Configuration base =
        confDir == null ? new Configuration() : GlobalConfiguration.loadConfiguration(confDir);
    Configuration conf = configuration(archive, base);
    FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
  }

  /** The same, with the plugins under {@code pluginsRoot} (one folder per plugin). */
  public static void initialize(ArchiveConfig archive, Configuration base, Path pluginsRoot) {
    FileSystem.initialize(configuration(archive, base), plugins(pluginsRoot));
  }

  /** The plugins under {@code root}, isolated as Flink isolates them. */
  public static PluginManager plugins(Path root) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("no plugins folder " + root);
    }
    try {
      return new DefaultPluginManager(
          new DirectoryBasedPluginFinder(root).findPlugins(),
          CoreOptions.getPluginParentFirstLoaderPatterns(new Configuration()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read plugins under " + root, e);
    }
  }
}
