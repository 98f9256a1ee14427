package io.fleetpulse.api.graphql;

import io.fleetpulse.api.live.LiveFeed;
import java.util.ArrayDeque;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The live feed as a reactive-streams publisher for graphql-java subscriptions: entries the mapping
 * turns into a value (null = not for this subscription) are queued and handed out as the subscriber
 * asks for them. Queued values beyond {@code maxQueued} end the subscription.
 */
final class FeedPublisher implements Publisher<Object> {

  private final LiveFeed feed;
  private final Function<LiveFeed.Entry, Object> mapping;
  private final int maxQueued;

  FeedPublisher(LiveFeed feed, Function<LiveFeed.Entry, Object> mapping, int maxQueued) {
    this.feed = feed;
    this.mapping = mapping;
    this.maxQueued = maxQueued;
  }

  @Override
  public void subscribe(Subscriber<? super Object> subscriber) {
    Link link = new Link(subscriber);
    subscriber.onSubscribe(link);
    feed.subscribe(null, link, replay -> {});
  }

  private final class Link implements Subscription, LiveFeed.Sink {
    private final Subscriber<? super Object> subscriber;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private long demand;
    private boolean emitting;
    private volatile boolean cancelled;

    Link(Subscriber<? super Object> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void accept(LiveFeed.Entry entry) {
      if (cancelled) {
        return;
      }
      Object value = mapping.apply(entry);
      if (value == null) {
        return;
      }
      synchronized (this) {
        if (queue.size() >= maxQueued) {
          cancel();
          subscriber.onError(new IllegalStateException("the subscriber fell too far behind"));
          return;
        }
        queue.addLast(value);
      }
      drain();
    }

    @Override
    public void request(long n) {
      synchronized (this) {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
      drain();
    }

    private void drain() {
      while (true) {
        Object next;
        synchronized (this) {
          if (emitting || cancelled || demand == 0 || queue.isEmpty()) {
            return;
          }
          emitting = true;
          next = queue.pollFirst();
          demand--;
        }
        try {
          subscriber.onNext(next);
        } finally {
          synchronized (this) {
            emitting = false;
          }
        }
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      feed.unsubscribe(this);
    }
  }
}
