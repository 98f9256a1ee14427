package io.fleetpulse.devstack.influxdb;

import io.fleetpulse.devstack.BuildDirs;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests one real InfluxDB 1.x server, shared by every test class of
 * the test JVM and killed when the JVM's tests are done, whether they passed or not.
 *
 * <p>Tests receive it as a parameter of type {@link InfluxDbProcess}. A server a test left stopped
 * is started again for the next one.
 */
public final class InfluxDbExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(InfluxDbExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    influxDb(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == InfluxDbProcess.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return influxDb(context);
  }

  /** The shared server, started on first use; a stopped server is started again. */
  public static InfluxDbProcess influxDb(ExtensionContext context) {
    InfluxDbProcess influx =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                InfluxDbProcess.class,
                k -> InfluxDbProcess.start(BuildDirs.fresh("influxdb")),
                InfluxDbProcess.class);
    influx.start();
    return influx;
  }
}
