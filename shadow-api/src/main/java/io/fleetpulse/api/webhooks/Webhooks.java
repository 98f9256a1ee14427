package io.fleetpulse.api.webhooks;

import io.fleetpulse.api.internal.ApiRoutes;
import io.fleetpulse.api.internal.DeviceStore;
import io.fleetpulse.api.internal.KafkaWriter;
import io.fleetpulse.api.internal.TopicView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Alert webhooks: the endpoint registry (a view of {@code iot.webhooks}), the parked deliveries (a
 * view of {@code iot.webhooks.dlq}), the dispatcher on the alert topic, and their routes.
 */
public final class Webhooks implements AutoCloseable {

  private final WebhookOptions options;
  private final TopicView registryView;
  private final TopicView parkedView;
  private final Deliverer deliverer;
  private final Dispatcher dispatcher;
  private final DlqWriter dlq;
  private final WebhookRoutes routes;

  public Webhooks(
      WebhookOptions options,
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String alertsTopic,
      DeviceStore devices,
      KafkaWriter writer,
      Duration writeTimeout,
      MeterRegistry meters) {
    this.options = options;
    EndpointRegistry registry = new EndpointRegistry();
    ParkedStore parked = new ParkedStore(options.deliveriesKept);
    registryView =
        new TopicView(
            "webhooks", options.endpointsTopic, bootstrapServers, kafkaProperties, registry);
    parkedView =
        new TopicView("webhooks-dlq", options.dlqTopic, bootstrapServers, kafkaProperties, parked);
    DeliveryLog log = new DeliveryLog(options.deliveriesKept);
    SsrfGuard guard = new SsrfGuard(options.allowPrivate);
    dlq = new DlqWriter(bootstrapServers, kafkaProperties, options.dlqTopic, writeTimeout);
    deliverer = new Deliverer(options, registry, guard, writer, dlq, alertsTopic, log, meters);
    dispatcher =
        options.deliver
            ? new Dispatcher(
                bootstrapServers,
                kafkaProperties,
                options.groupId,
                alertsTopic,
                registry,
                devices,
                registryView::ready,
                deliverer,
                log,
                options.maxPending)
            : null;
    routes =
        new WebhookRoutes(
            registry, registryView, parked, log, deliverer, guard, writer, options, writeTimeout);
    Gauge.builder("fleetpulse.api.webhooks.endpoints", registry, EndpointRegistry::size)
        .description("webhook endpoints registered")
        .register(meters);
    if (dispatcher != null) {
      Gauge.builder("fleetpulse.api.webhooks.alerts.in.flight", dispatcher, Dispatcher::inFlight)
          .description("alerts with a webhook delivery still going on")
          .register(meters);
    }
  }

  /** The views to start and to report in {@code /health}. */
  public List<TopicView> views() {
    return List.of(registryView, parkedView);
  }

  /** The topics webhooks need besides the alert topic. */
  public List<String> topics() {
    return options.topics();
  }

  public List<ApiRoutes.Route> routes() {
    return routes.routes();
  }

  /** Starts delivering (once the endpoint view is ready); the views are started by the caller. */
  public void start() {
    if (dispatcher != null) {
      dispatcher.start();
    }
  }

  /** Whether this instance delivers and its consumer holds partitions. */
  public boolean delivering() {
    return dispatcher != null && dispatcher.assigned();
  }

  /** Problems to show in {@code /health}, empty when none. */
  public List<String> failures() {
    List<String> f = new ArrayList<>();
    if (dispatcher != null && dispatcher.failure() != null) {
      f.add("webhook dispatcher: " + dispatcher.failure());
    }
    return f;
  }

  @Override
  public void close() {
    deliverer.close();
    if (dispatcher != null) {
      dispatcher.close();
    }
    dlq.close();
  }
}
