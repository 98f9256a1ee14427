package io.fleetpulse.connectors.influxdb.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP server that records every write request and answers with scripted responses (204 when
 * none is scripted): for asserting exact requests and for injecting 429, 503 and 400.
 */
final class RecordingServer implements AutoCloseable {

  /** One request as received. */
  record Request(
      String method, String pathAndQuery, Map<String, List<String>> headers, String body) {

    List<String> lines() {
      return List.of(body.split("\n"));
    }

    String header(String name) {
      return headers.entrySet().stream()
          .filter(h -> h.getKey().equalsIgnoreCase(name))
          .map(h -> h.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /** One response to give. */
  record Response(int status, Map<String, String> headers, String body) {
    static Response of(int status) {
      return new Response(status, Map.of(), "");
    }

    static Response of(int status, String body) {
      return new Response(status, Map.of(), body);
    }

    static Response retryAfter(int status, String retryAfter) {
      return new Response(status, Map.of("Retry-After", retryAfter), "");
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Long> receivedAtNanos = new CopyOnWriteArrayList<>();
  private final Queue<Response> scripted = new ConcurrentLinkedQueue<>();
  private volatile Function<Request, Response> responder = r -> null;
  private volatile CountDownLatch hold = new CountDownLatch(0);

  private final List<String> accepted = new CopyOnWriteArrayList<>();

  static {
    // A response with a body goes out in two writes; with Nagle's algorithm on, each waits for
    // the client's delayed ACK (~40 ms), and tests that need hundreds of rejections took minutes.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  RecordingServer() {
    this(0);
  }

  /** A server on {@code port} of the loopback interface (0: any free port). */
  RecordingServer(int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers the next requests with these responses, in order. */
  RecordingServer thenRespond(Response... responses) {
    scripted.addAll(List.of(responses));
    return this;
  }

  /** Answers requests the script does not cover by {@code responder} (null means 204). */
  RecordingServer respondWith(Function<Request, Response> responder) {
    this.responder = responder;
    return this;
  }

  /** Holds every response until {@link #release()}. */
  void holdResponses() {
    hold = new CountDownLatch(1);
  }

  void release() {
    hold.countDown();
  }

  List<Request> requests() {
    return new ArrayList<>(requests);
  }

  /** The lines of every request answered with 2xx, in order of arrival. */
  List<String> acceptedLines() {
    return new ArrayList<>(accepted);
  }

  /** Time between the arrival of request {@code a} and request {@code b}. */
  Duration between(int a, int b) {
    return Duration.ofNanos(receivedAtNanos.get(b) - receivedAtNanos.get(a));
  }

  /** Waits until at least {@code n} requests arrived. */
  List<Request> awaitRequests(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (requests.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return requests();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Request request =
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            Map.copyOf(exchange.getRequestHeaders()),
            body);
    receivedAtNanos.add(System.nanoTime());
    requests.add(request);
    try {
      hold.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Response response = scripted.poll();
    if (response == null) {
      response = responder.apply(request);
    }
    if (response == null) {
      response = Response.of(204);
    }
    if (response.status() / 100 == 2) {
      accepted.addAll(request.lines());
    }
    response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }
}
