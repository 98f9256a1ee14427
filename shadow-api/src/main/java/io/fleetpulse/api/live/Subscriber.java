package io.fleetpulse.api.live;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected stream client: the feed queues matching entries, a shared pool writes them out, so
 * a slow client only ever holds up itself. A client that falls too far behind is disconnected (it
 * resumes with its last event id).
 */
final class Subscriber implements LiveFeed.Sink {

  private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);

  /** One event as the client sees it. */
  record Event(String name, String data, String id) {}

  /** Where events go: an SSE response or a WebSocket. */
  interface Output {
    void send(Event event) throws Exception;

    void close();
  }

  private final Predicate<LiveFeed.Entry> filter;
  private final Function<LiveFeed.Entry, Event> render;
  private final Output output;
  private final Executor pool;
  private final int maxQueued;
  private final ArrayDeque<Event> queue = new ArrayDeque<>();
  private boolean draining;
  private volatile boolean closed;
  private Runnable onClose = () -> {};

  Subscriber(
      Predicate<LiveFeed.Entry> filter,
      Function<LiveFeed.Entry, Event> render,
      Output output,
      Executor pool,
      int maxQueued) {
    this.filter = filter;
    this.render = render;
    this.output = output;
    this.pool = pool;
    this.maxQueued = maxQueued;
  }

  void onClose(Runnable r) {
    onClose = r;
  }

  @Override
  public void accept(LiveFeed.Entry entry) {
    if (!closed && filter.test(entry)) {
      enqueue(render.apply(entry));
    }
  }

  void replay(List<LiveFeed.Entry> missed) {
    for (LiveFeed.Entry e : missed) {
      accept(e);
    }
  }

  void enqueue(Event event) {
    boolean start;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (queue.size() >= maxQueued) {
        LOG.info("stream client fell {} events behind; disconnecting it", maxQueued);
        closed = true;
        queue.clear();
        start = false;
      } else {
        queue.addLast(event);
        start = !draining;
        draining = draining || start;
      }
    }
    if (closed) {
      close();
      return;
    }
    if (start) {
      pool.execute(this::drain);
    }
  }

  private void drain() {
    while (true) {
      Event next;
      synchronized (this) {
        next = queue.pollFirst();
        if (next == null || closed) {
          draining = false;
          return;
        }
      }
      try {
        output.send(next);
      } catch (Exception e) {
        close();
        return;
      }
    }
  }

  void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
    try {
      output.close();
    } catch (RuntimeException e) {
      // already gone
    }
    onClose.run();
  }

  boolean closed() {
    return closed;
  }
}
