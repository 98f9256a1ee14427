package io.fleetpulse.devstack.mqtt;

import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.ServerExtension;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that gives each test class its own plain Mosquitto broker, stopped when the
 * class is done, whether its tests passed or not.
 *
 * <p>Tests receive it as a parameter of type {@link MosquittoBroker}.
 */
public final class MosquittoExtension extends ServerExtension<MosquittoBroker> {

  public MosquittoExtension() {
    super(MosquittoBroker.class);
  }

  @Override
  protected MosquittoBroker create() {
    return MosquittoBroker.start(BuildDirs.fresh("mosquitto"));
  }

  @Override
  protected void ensureRunning(MosquittoBroker server) {
    server.start();
  }

  @Override
  protected ExtensionContext scope(ExtensionContext context) {
    return context.getTestClass().isPresent() && context.getTestMethod().isPresent()
        ? context.getParent().orElse(context)
        : context;
  }
}
