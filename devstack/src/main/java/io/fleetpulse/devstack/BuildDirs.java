package io.fleetpulse.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where tests and the demo put their data: under the build folder, never in the source tree. */
public final class BuildDirs {

  private BuildDirs() {}

  /**
   * A fresh folder named after {@code purpose} under the module's build folder ({@code
   * fleetpulse.build.dir}, set by the build) or under {@code target/} of the working directory.
   */
  public static Path fresh(String purpose) {
    String base = System.getProperty("fleetpulse.build.dir", "target");
    try {
      Path root = Paths.get(base, "devstack").toAbsolutePath();
      Files.createDirectories(root);
      return Files.createTempDirectory(root, purpose + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data folder under " + base, e);
    }
  }
}
