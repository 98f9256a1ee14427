package io.fleetpulse.devstack.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority with a server certificate for 127.0.0.1 and client
 * certificates whose common name is the MQTT identity, made with the {@code openssl} command.
 *
 * <p>Client keys are also exported as PKCS12 files (password {@link #PASSWORD}), the form Java key
 * managers load.
 */
public final class TestCertificates {

  /** The password of every PKCS12 file made here. */
  public static final String PASSWORD = "changeit";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Makes a CA and a server certificate under {@code dir}. */
  public static TestCertificates create(Path dir) {
    TestCertificates certs = new TestCertificates(dir);
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("server.ext"),
          "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
          StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    certs.openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=FleetPulse test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt");
    certs.signed("server", "127.0.0.1", "server.ext");
    return certs;
  }

  /**
   * Makes a client certificate with common name {@code identity}, signed by this CA, and returns
   * its PKCS12 file.
   */
  public Path client(String identity) {
    String name = "client-" + identity.replaceAll("[^A-Za-z0-9._-]", "_");
    signed(name, identity, "client.ext");
    openssl(
        "pkcs12",
        "-export",
        "-in",
        name + ".crt",
        "-inkey",
        name + ".key",
        "-name",
        identity,
        "-passout",
        "pass:" + PASSWORD,
        "-out",
        name + ".p12");
    return dir.resolve(name + ".p12");
  }

  /** A client certificate signed by another CA, which the broker must refuse. */
  public Path untrustedClient(String identity) {
    TestCertificates other = create(dir.resolve("untrusted"));
    return other.client(identity);
  }

  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  public Path serverCertificate() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  private void signed(String name, String commonName, String extensions) {
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=" + commonName,
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        extensions,
        "-out",
        name + ".crt");
  }

  private void openssl(String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("openssl.log").toFile()))
              .start();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "openssl failed: "
                + command
                + "\n"
                + Files.readString(dir.resolve("openssl.log"), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run openssl (apt-get install openssl)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
