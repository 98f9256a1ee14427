package io.fleetpulse.api.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk store (H2 MVStore, one file per instance) of the views that grow with the fleet, so
 * the heap holds only a page cache of them. Not RocksDB: Flink's frocksdbjni defines the same
 * {@code org.rocksdb} classes and the demo runs both in one JVM.
 *
 * <p>The file is a cache of the topics, not a source of truth: it is made new at every start and
 * the views are rebuilt from Kafka (see the module README for why).
 */
public final class ViewStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ViewStore.class);
  private static final String PREFIX = "views-";
  private static final String SUFFIX = ".mv.db";

  private final Path file;
  private final MVStore store;

  private ViewStore(Path file, MVStore store) {
    this.file = file;
    this.store = store;
  }

  /**
   * Opens a new store file in {@code dir}, after removing files there that no running instance
   * holds (left by an instance that did not stop cleanly).
   */
  public static ViewStore open(Path dir, int cacheMb) {
    try {
      Files.createDirectories(dir);
      removeStale(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("store.dir " + dir + " cannot be used: " + e.getMessage(), e);
    }
    Path file = dir.resolve(PREFIX + UUID.randomUUID() + SUFFIX);
    MVStore store =
        new MVStore.Builder()
            .fileName(file.toString())
            .cacheSize(cacheMb)
            // The views write from one thread each; concurrency here is for the readers.
            .cacheConcurrency(4)
            .open();
    LOG.info("view store {} (cache {} MB)", file, cacheMb);
    return new ViewStore(file, store);
  }

  /** The map {@code name}: sorted by key, values as bytes. */
  public MVMap<String, byte[]> map(String name) {
    return store.openMap(name);
  }

  /** The store's file. */
  public Path file() {
    return file;
  }

  private static void removeStale(Path dir) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path f : files) {
        if (unlocked(f)) {
          Files.deleteIfExists(f);
          LOG.info("removed the stale view store {}", f);
        }
      }
    }
  }

  /** Whether no store holds {@code f} (MVStore locks its file while open). */
  private static boolean unlocked(Path f) {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        return false;
      }
      lock.release();
      return true;
    } catch (OverlappingFileLockException e) {
      return false; // held by a store in this JVM
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    // Nothing in it is needed after a stop: skip writing the last changes, drop the file.
    store.closeImmediately();
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("could not remove the view store {}: {}", file, e.getMessage());
    }
  }
}
