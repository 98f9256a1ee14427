package io.fleetpulse.devstack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Base of the JUnit 5 extensions that give tests a real server: started on first use, handed to
 * tests as a parameter of its type, started again if a test left it stopped, and closed with its
 * JUnit store (the test JVM's by default) whether the tests passed or not.
 */
public abstract class ServerExtension<S extends AutoCloseable>
    implements BeforeAllCallback, ParameterResolver {

  private final Class<S> type;

  protected ServerExtension(Class<S> type) {
    this.type = type;
  }

  /** Starts a new server. */
  protected abstract S create();

  /** Starts {@code server} again if it is stopped. */
  protected abstract void ensureRunning(S server);

  /** The context whose store owns the server: the root, so one server serves the whole JVM. */
  protected ExtensionContext scope(ExtensionContext context) {
    return context.getRoot();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == type;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context);
  }

  /** The shared server, running. */
  protected final S server(ExtensionContext context) {
    S server =
        scope(context)
            .getStore(ExtensionContext.Namespace.create(getClass()))
            .getOrComputeIfAbsent(type, k -> create(), type);
    ensureRunning(server);
    return server;
  }
}
