package io.fleetpulse.devstack.influxdb;

import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.ServerExtension;

/**
 * JUnit 5 extension that gives tests one real InfluxDB 1.x server, shared by every test class of
 * the test JVM and killed when the JVM's tests are done, whether they passed or not.
 *
 * <p>Tests receive it as a parameter of type {@link InfluxDbProcess}. A server a test left stopped
 * is started again for the next one.
 */
public final class InfluxDbExtension extends ServerExtension<InfluxDbProcess> {

  public InfluxDbExtension() {
    super(InfluxDbProcess.class);
  }

  @Override
  protected InfluxDbProcess create() {
    return InfluxDbProcess.start(BuildDirs.fresh("influxdb"));
  }

  @Override
  protected void ensureRunning(InfluxDbProcess server) {
    server.start();
  }
}
