package io.fleetpulse.connectors.mqtt.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fleetpulse.common.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Serves {@code /health} (200 when healthy, else 503) and {@code /metrics} (Prometheus text). */
public final class HttpEndpoints implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * @param healthy whether /health answers 200
   * @param health the JSON body of /health
   * @param metrics the Prometheus text of /metrics
   */
  public HttpEndpoints(
      String host,
      int port,
      BooleanSupplier healthy,
      Supplier<String> health,
      Supplier<String> metrics) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve HTTP on " + host + ":" + port, e);
    }
    server.createContext(
        "/health",
        exchange ->
            respond(
                exchange, healthy.getAsBoolean() ? 200 : 503, "application/json", health.get()));
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    executor = Executors.newFixedThreadPool(2, DaemonThreads.factory("bridge-http"));
    server.setExecutor(executor);
    server.start();
  }

  /** The port the server listens on (the chosen one when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
