package io.fleetpulse.devstack.kafka;

import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.ServerExtension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * JUnit 5 extension that gives tests one real Kafka broker, shared by every test class of the test
 * JVM and stopped when the JVM's tests are done.
 *
 * <p>Tests receive it as a parameter of type {@link EmbeddedKafka} or {@link KafkaTestClient}.
 */
public final class KafkaExtension extends ServerExtension<EmbeddedKafka> {

  public KafkaExtension() {
    super(EmbeddedKafka.class);
  }

  @Override
  protected EmbeddedKafka create() {
    return EmbeddedKafka.start(BuildDirs.fresh("kafka"));
  }

  @Override
  protected void ensureRunning(EmbeddedKafka server) {
    server.start();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return super.supportsParameter(parameter, context)
        || parameter.getParameter().getType() == KafkaTestClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == KafkaTestClient.class) {
      return new KafkaTestClient(server(context).bootstrapServers());
    }
    return server(context);
  }
}
