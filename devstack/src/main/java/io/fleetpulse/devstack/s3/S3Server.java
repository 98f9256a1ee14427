package io.fleetpulse.devstack.s3;

import io.fleetpulse.devstack.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3 server in the JVM (S3Proxy over jclouds' in-memory store) on a free loopback port, with
 * AWS signature checks, so a wrong key is refused as AWS would refuse it.
 *
 * <p>Needs {@code org.gaul:s3proxy} on the test classpath: devstack declares it optional, so only
 * the modules that test against S3 carry its Jetty and jclouds.
 */
public final class S3Server implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);

  /** The access key the server accepts. */
  public static final String ACCESS_KEY = "fleetpulse-access";

  /** The secret key the server accepts. */
  public static final String SECRET_KEY = "fleetpulse-secret";

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final URI endpoint;

  private S3Server(BlobStoreContext context, S3Proxy proxy, URI endpoint) {
    this.context = context;
    this.proxy = proxy;
    this.endpoint = endpoint;
  }

  /** Starts a server with no buckets; returns when it serves requests. */
  public static S3Server start() {
    long began = System.nanoTime();
    Properties properties = new Properties();
    BlobStoreContext context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .overrides(properties)
            .build(BlobStoreContext.class);
    URI endpoint = URI.create("http://127.0.0.1:" + FreePorts.pick());
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(endpoint)
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    try {
      proxy.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      context.close();
      throw new IllegalStateException("cannot start S3Proxy at " + endpoint, e);
    }
    LOG.info("S3 up at {} in {} ms", endpoint, (System.nanoTime() - began) / 1_000_000);
    return new S3Server(context, proxy, endpoint);
  }

  /** The endpoint, e.g. {@code http://127.0.0.1:41234} (path-style access). */
  public String endpoint() {
    return endpoint.toString();
  }

  /** The server's store, for what the S3 API of this server does not offer. */
  public BlobStore store() {
    return context.getBlobStore();
  }

  /** Creates {@code bucket} if it does not exist. */
  public void createBucket(String bucket) {
    store().createContainerInLocation(null, bucket);
  }

  /** The keys of every object in {@code bucket} under {@code prefix}, recursively. */
  public List<String> keys(String bucket, String prefix) {
    List<String> keys = new ArrayList<>();
    ListContainerOptions options = ListContainerOptions.Builder.prefix(prefix).recursive();
    String marker = null;
    do {
      ListContainerOptions page = marker == null ? options : options.clone().afterMarker(marker);
      var listing = store().list(bucket, page);
      for (StorageMetadata m : listing) {
        if (m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB) {
          keys.add(m.getName());
        }
      }
      marker = listing.getNextMarker();
    } while (marker != null);
    return keys;
  }

  /** The bytes of one object. */
  public byte[] get(String bucket, String key) {
    Blob blob = store().getBlob(bucket, key);
    if (blob == null) {
      throw new IllegalArgumentException("no object s3://" + bucket + "/" + key);
    }
    try (InputStream in = blob.getPayload().openStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      LOG.warn("S3Proxy at {} did not stop cleanly", endpoint, e);
    } finally {
      context.close();
    }
  }
}
