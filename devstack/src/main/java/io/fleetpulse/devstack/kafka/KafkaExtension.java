package io.fleetpulse.devstack.kafka;

import io.fleetpulse.devstack.BuildDirs;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests one real Kafka broker, shared by every test class of the test
 * JVM and stopped when the JVM's tests are done.
 *
 * <p>Tests receive it as a parameter of type {@link EmbeddedKafka} or {@link KafkaTestClient}.
 */
public final class KafkaExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    kafka(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == EmbeddedKafka.class || type == KafkaTestClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    EmbeddedKafka kafka = kafka(context);
    if (parameter.getParameter().getType() == EmbeddedKafka.class) {
      return kafka;
    }
    return new KafkaTestClient(kafka.bootstrapServers());
  }

  /** The shared broker, started on first use; a stopped broker is started again. */
  public static EmbeddedKafka kafka(ExtensionContext context) {
    EmbeddedKafka kafka =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                EmbeddedKafka.class,
                k -> EmbeddedKafka.start(BuildDirs.fresh("kafka")),
                EmbeddedKafka.class);
    kafka.start();
    return kafka;
  }
}
