package io.fleetpulse.jobs.enrich;

/**
 * One device's anti-replay window: the identities of its most recent messages in a fixed ring, plus
 * the device's newest event time (the dedupe horizon is measured in it) and its duplicate count.
 *
 * <p>A message's identity is {@code (seq, ts)}, or {@code (fingerprint, ts)} without a seq: a
 * device that reboots and counts from 1 again sends new timestamps, so a new epoch never collides
 * with the old one. A POJO of primitive arrays: Flink serializes it without Kryo, and its size is
 * fixed whatever the device sends.
 */
public class RecentMessages {

  private long[] ids;
  private long[] tss;
  private int next;
  private int size;
  private long maxTs = Long.MIN_VALUE;
  private long duplicates;

  public RecentMessages() {}

  RecentMessages(int capacity) {
    this.ids = new long[capacity];
    this.tss = new long[capacity];
  }

  /**
   * True when {@code (id, ts)} is among the recent messages and within {@code horizonMs} of the
   * device's newest event time; otherwise remembers it (evicting the oldest) and returns false.
   */
  boolean seenBefore(long id, long ts, long horizonMs) {
    // A repeat has the ts of a remembered message, and none is newer than maxTs: a message newer
    // than all of them (almost every message of a live device) is new without reading the ring,
    // which was the largest part of dedupe in bench/ (64 entries per device, mostly cache misses).
    if (ts <= maxTs && ts >= maxTs - horizonMs) {
      // A linear scan of two small primitive arrays: cheaper than any hash map at this size.
      for (int i = 0; i < size; i++) {
        if (tss[i] == ts && ids[i] == id) {
          duplicates++;
          return true;
        }
      }
    }
    ids[next] = id;
    tss[next] = ts;
    next = next + 1 == ids.length ? 0 : next + 1;
    if (size < ids.length) {
      size++;
    }
    if (ts > maxTs) {
      maxTs = ts;
    }
    return false;
  }

  public long[] getIds() {
    return ids;
  }

  public void setIds(long[] ids) {
    this.ids = ids;
  }

  public long[] getTss() {
    return tss;
  }

  public void setTss(long[] tss) {
    this.tss = tss;
  }

  public int getNext() {
    return next;
  }

  public void setNext(int next) {
    this.next = next;
  }

  public int getSize() {
    return size;
  }

  public void setSize(int size) {
    this.size = size;
  }

  public long getMaxTs() {
    return maxTs;
  }

  public void setMaxTs(long maxTs) {
    this.maxTs = maxTs;
  }

  /** How many of this device's messages were dropped as duplicates. */
  public long getDuplicates() {
    return duplicates;
  }

  public void setDuplicates(long duplicates) {
    this.duplicates = duplicates;
  }
}
