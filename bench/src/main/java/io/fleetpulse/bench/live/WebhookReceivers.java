package io.fleetpulse.bench.live;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Real webhook receivers in the bench JVM: JDK {@code HttpServer}s on free loopback ports that
 * answer 204 and record when each alert arrived, and a dead one that accepts connections but never
 * answers (every request runs into the service's timeout).
 */
final class WebhookReceivers implements AutoCloseable {

  private static final String ALERT_ID = "\"alertId\":\"";

  private final List<HttpServer> servers = new ArrayList<>();
  private final AtomicReference<Phase> phase = new AtomicReference<>();
  private final ServerSocket dead;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final Thread deadAcceptor;

  /** Where the arrivals of one measured phase go: sent times by alert id, and the samples. */
  record Phase(Map<String, Long> sentNanos, Latencies latencies) {}

  WebhookReceivers(int live) throws IOException {
    for (int i = 0; i < live; i++) {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
      server.createContext(
          "/",
          ex -> {
            long at = System.nanoTime();
            byte[] body = ex.getRequestBody().readAllBytes();
            record(new String(body, StandardCharsets.UTF_8), at);
            ex.sendResponseHeaders(204, -1);
            ex.close();
          });
      server.start();
      servers.add(server);
    }
    dead = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    deadAcceptor =
        new Thread(
            () -> {
              while (!dead.isClosed()) {
                try {
                  held.add(dead.accept()); // never read, never answered
                } catch (IOException e) {
                  return;
                }
              }
            },
            "bench-dead-receiver");
    deadAcceptor.setDaemon(true);
    deadAcceptor.start();
  }

  /** The URL of live receiver {@code i}. */
  String url(int i) {
    return "http://127.0.0.1:" + servers.get(i).getAddress().getPort() + "/hook";
  }

  /** The URL of the dead receiver. */
  String deadUrl() {
    return "http://127.0.0.1:" + dead.getLocalPort() + "/hook";
  }

  /** Connections the dead receiver holds (requests that are waiting for their timeout). */
  int deadConnections() {
    return held.size();
  }

  void measure(Phase p) {
    phase.set(p);
  }

  private void record(String body, long at) {
    Phase p = phase.get();
    int i = body.indexOf(ALERT_ID);
    if (p == null || i < 0) {
      return;
    }
    int from = i + ALERT_ID.length();
    Long sent = p.sentNanos().get(body.substring(from, body.indexOf('"', from)));
    if (sent != null) {
      p.latencies().add(at - sent);
    }
  }

  @Override
  public void close() throws IOException {
    servers.forEach(s -> s.stop(0));
    dead.close();
    for (Socket s : held) {
      s.close();
    }
  }
}
