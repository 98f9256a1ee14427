package io.fleetpulse.api.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP webhook receiver for tests: each path answers as its behaviour says, every request is
 * kept.
 */
final class Receiver implements AutoCloseable {

  /** One request as received, with the status it was answered with. */
  record Received(
      String path,
      String id,
      String timestamp,
      String signature,
      String body,
      int answered,
      long atNanos) {}

  /** What a path answers; gets the number of the request on that path (1, 2, ...). */
  interface Behaviour extends Function<Integer, Integer> {}

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  void on(String path, Behaviour behaviour) {
    behaviours.put(path, behaviour);
  }

  List<Received> at(String path) {
    List<Received> list = new ArrayList<>();
    for (Received r : received) {
      if (r.path().equals(path)) {
        list.add(r);
      }
    }
    return list;
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    byte[] body = ex.getRequestBody().readAllBytes();
    int n = counts.merge(path, 1, Integer::sum);
    int status = behaviours.getOrDefault(path, x -> 200).apply(n);
    received.add(
        new Received(
            path,
            ex.getRequestHeaders().getFirst("webhook-id"),
            ex.getRequestHeaders().getFirst("webhook-timestamp"),
            ex.getRequestHeaders().getFirst("webhook-signature"),
            new String(body, StandardCharsets.UTF_8),
            status,
            System.nanoTime()));
    ex.sendResponseHeaders(status, -1);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
