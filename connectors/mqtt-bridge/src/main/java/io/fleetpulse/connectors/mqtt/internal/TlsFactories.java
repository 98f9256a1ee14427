package io.fleetpulse.connectors.mqtt.internal;

import io.fleetpulse.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** Loads the bridge's client certificate (PKCS12) and the broker's CA (PEM) for MQTT over TLS. */
public final class TlsFactories {

  private TlsFactories() {}

  /** A key manager with the client certificate and key in {@code keystore}. */
  public static KeyManagerFactory keyManager(Path keystore, String type, char[] password) {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password);
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("cannot load the MQTT client key store " + keystore + ": " + e, e);
    }
  }

  /** A trust manager that trusts the CA certificates of a PEM file. */
  public static TrustManagerFactory trustManager(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      if (i == 0) {
        throw new ConfigException("the MQTT CA file " + caPem + " holds no certificate");
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("cannot load the MQTT CA file " + caPem + ": " + e, e);
    }
  }
}
