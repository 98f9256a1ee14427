package io.fleetpulse.bench.api;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A small HTTP/1.1 load generator: {@code connections} keep-alive connections, each on its own
 * thread sending one GET after the other (a closed loop), latencies per request. Leaner than {@code
 * java.net.http.HttpClient}, whose own cost here was the limit (about 1,000 requests/s for the bare
 * handler too), so that the server is what is measured.
 */
final class LoopbackLoad {

  /** What one run measured: latencies of the 200s (sorted), and every other outcome. */
  record Result(long ok, long errors, double seconds, long[] sortedNanos) {}

  private LoopbackLoad() {}

  /**
   * Sends GETs of {@code path.apply(random index below bound)} to 127.0.0.1:{@code port} with
   * header {@code apiKey} for {@code seconds}.
   */
  static Result run(
      int port, String apiKey, int connections, int seconds, int bound, IntFunction<String> path)
      throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<long[]> perThread = new ArrayList<>();
    List<int[]> counts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < connections; c++) {
      long[] nanos = new long[200_000];
      int[] count = new int[1];
      perThread.add(nanos);
      counts.add(count);
      Thread t =
          new Thread(
              () -> loop(port, apiKey, end, bound, path, nanos, count, ok, errors), "load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double took = (System.nanoTime() - start) / 1e9;
    int total = counts.stream().mapToInt(c -> Math.min(c[0], 200_000)).sum();
    long[] all = new long[total];
    int at = 0;
    for (int i = 0; i < perThread.size(); i++) {
      int n = Math.min(counts.get(i)[0], 200_000);
      System.arraycopy(perThread.get(i), 0, all, at, n);
      at += n;
    }
    Arrays.sort(all);
    return new Result(ok.get(), errors.get(), took, all);
  }

  private static void loop(
      int port,
      String apiKey,
      long end,
      int bound,
      IntFunction<String> path,
      long[] nanos,
      int[] count,
      AtomicLong ok,
      AtomicLong errors) {
    Socket socket = null;
    try {
      while (System.nanoTime() < end) {
        if (socket == null) {
          socket = new Socket();
          socket.setTcpNoDelay(true);
          socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
          socket.setSoTimeout(30_000);
        }
        String request =
            "GET "
                + path.apply(ThreadLocalRandom.current().nextInt(bound))
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: "
                + apiKey
                + "\r\n\r\n";
        long sent = System.nanoTime();
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int status = readResponse(socket);
        long took = System.nanoTime() - sent;
        if (status == 200) {
          ok.incrementAndGet();
          if (count[0] < nanos.length) {
            nanos[count[0]] = took;
          }
          count[0]++;
        } else {
          errors.incrementAndGet();
        }
      }
    } catch (IOException e) {
      errors.incrementAndGet();
    } finally {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing after the run
        }
      }
    }
  }

  /** Reads one response (Content-Length or chunked body) and returns its status. */
  private static int readResponse(Socket socket) throws IOException {
    InputStream in = streams.get();
    if (in == null || inSocket.get() != socket) {
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      streams.set(in);
      inSocket.set(socket);
    }
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (long size = Long.parseLong(line(in).strip(), 16); size > 0; ) {
        skip(in, size);
        line(in);
        size = Long.parseLong(line(in).strip(), 16);
      }
      line(in);
    } else if (length > 0) {
      skip(in, length);
    }
    return status;
  }

  private static final ThreadLocal<InputStream> streams = new ThreadLocal<>();
  private static final ThreadLocal<Socket> inSocket = new ThreadLocal<>();

  private static void skip(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new IOException("connection closed in a body");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }
}
