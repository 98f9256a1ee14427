package io.fleetpulse.devstack.mqtt;

import io.fleetpulse.devstack.BuildDirs;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives each test class its own plain Mosquitto broker, stopped when the
 * class is done, whether its tests passed or not.
 *
 * <p>Tests receive it as a parameter of type {@link MosquittoBroker}.
 */
public final class MosquittoExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MosquittoExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    broker(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == MosquittoBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return broker(context);
  }

  private static MosquittoBroker broker(ExtensionContext context) {
    ExtensionContext classContext =
        context.getTestClass().isPresent() && context.getTestMethod().isPresent()
            ? context.getParent().orElse(context)
            : context;
    MosquittoBroker broker =
        classContext
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                MosquittoBroker.class,
                k -> MosquittoBroker.start(BuildDirs.fresh("mosquitto")),
                MosquittoBroker.class);
    broker.start();
    return broker;
  }
}
