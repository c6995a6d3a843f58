package dev.synack.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed key and certificate for "localhost" made at test time by the JDK's keytool, and
 * the TLS context that presents it and trusts it (both ends of a test use the one context).
 */
public final class TestKeys {
    private static final char[] PASSWORD = "synack-test".toCharArray();

    private TestKeys() {}

    /** {@link #selfSignedContext(Path, String)} for "localhost" and 10.0.0.2. */
    static SSLContext selfSignedContext(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        return selfSignedContext(dir, "ip:10.0.0.2");
    }

    /**
     * Makes {@code dir}/key.p12 with keytool, for "localhost" and {@code extraName} (keytool's SAN
     * spelling: "ip:10.7.0.1"), and returns a context whose key and trust are that certificate.
     */
    public static SSLContext selfSignedContext(Path dir, String extraName)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path store = dir.resolve("key.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "localhost", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "san=dns:localhost," + extraName,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("keytool failed: " + output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
