package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.synack.net.SynackSocket;
import dev.synack.net.SynackSocketFactory;
import dev.synack.net.TestKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified java.net clients on synack (on a TUN device in a namespace of the test's own) against
 * servers on the kernel's TCP in that namespace: OkHttp given {@link SynackSocketFactory}, over
 * plain HTTP and over TLS (OkHttp layers the JDK's SSLSocket over the synack socket), and the
 * JDK's SSLSocket by hand. Each compares the bytes both ways. Root only (skipped with the reason
 * otherwise).
 */
@Timeout(120)
class JavaNetOnTunTest {
    private static final int PORT = 8080;

    @TempDir
    Path dir;

    private static byte[] body(int size) {
        byte[] b = new byte[size];
        new Random(170).nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** GET /body answers {@code body}; POST /sha256 answers the SHA-256 of what was posted. */
    private static void serve(HttpServer server, byte[] body, ExecutorService threads) {
        server.createContext("/body", x -> reply(x, body));
        server.createContext("/sha256", x -> reply(x, sha256(x.getRequestBody().readAllBytes())));
        server.setExecutor(threads);
        server.start();
    }

    private static void reply(HttpExchange x, byte[] bytes) throws IOException {
        x.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static OkHttpClient.Builder okHttpOn(KernelInterop bench) {
        return new OkHttpClient.Builder().socketFactory(new SynackSocketFactory(bench.stack))
                .connectTimeout(Duration.ofSeconds(10)).readTimeout(Duration.ofSeconds(20));
    }

    /** Two GETs and a POST on one client (the second GET reuses the pooled connection), bytes compared. */
    private static void getAndPost(OkHttpClient client, String base, byte[] body) throws IOException {
        for (int i = 0; i < 2; i++) {
            try (Response r = client.newCall(new Request.Builder().url(base + "/body").build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.body().bytes()).isEqualTo(body);
            }
        }
        byte[] upload = body(300_000);
        RequestBody post = RequestBody.create(upload, MediaType.get("application/octet-stream"));
        try (Response r = client.newCall(new Request.Builder().url(base + "/sha256").post(post).build()).execute()) {
            assertThat(r.body().bytes()).isEqualTo(sha256(upload));
        }
    }

    @Test
    void okHttpOnSynackFetchesFromTheKernelsHttpServer() throws Exception {
        byte[] body = body(1 << 20);
        try (KernelInterop bench = KernelInterop.start();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            HttpServer server = bench.ns.call(() -> HttpServer.create(new InetSocketAddress(KernelInterop.KERNEL_IP, PORT), 50));
            serve(server, body, threads);
            OkHttpClient client = okHttpOn(bench).build();
            try {
                getAndPost(client, "http://" + KernelInterop.KERNEL_IP + ":" + PORT, body);
                assertThat(client.connectionPool().connectionCount()).isEqualTo(1); // keep-alive: one connection
                assertThat(bench.ssLines(KernelInterop.KERNEL_IP + ":" + PORT)).contains(KernelInterop.SYNACK_IP);
            } finally {
                client.connectionPool().evictAll();
                client.dispatcher().executorService().shutdown();
                server.stop(0);
            }
        }
    }

    @Test
    void okHttpOverTlsOnSynackFetchesFromTheKernelsHttpsServer() throws Exception {
        SSLContext tls = TestKeys.selfSignedContext(dir, "ip:" + KernelInterop.KERNEL_IP);
        byte[] body = body(1 << 20);
        try (KernelInterop bench = KernelInterop.start();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            HttpsServer server = bench.ns.call(() -> HttpsServer.create(new InetSocketAddress(KernelInterop.KERNEL_IP, PORT), 50));
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            serve(server, body, threads);
            X509TrustManager trust = trustManager(dir);
            OkHttpClient client = okHttpOn(bench).sslSocketFactory(tls.getSocketFactory(), trust).build();
            try {
                // the certificate names 10.7.0.1: OkHttp's host name check passes on it
                getAndPost(client, "https://" + KernelInterop.KERNEL_IP + ":" + PORT, body);
            } finally {
                client.connectionPool().evictAll();
                client.dispatcher().executorService().shutdown();
                server.stop(0);
            }
        }
    }

    @Test
    void jdkSslSocketOverASynackSocketTalksToTheKernelsTlsServer() throws Exception {
        SSLContext tls = TestKeys.selfSignedContext(dir, "ip:" + KernelInterop.KERNEL_IP);
        byte[] request = body(200_000);
        try (KernelInterop bench = KernelInterop.start()) {
            javax.net.ssl.SSLServerSocket listening = bench.ns.call(() -> (javax.net.ssl.SSLServerSocket)
                    tls.getServerSocketFactory().createServerSocket(PORT, 50, InetAddress.ofLiteral(KernelInterop.KERNEL_IP)));
            Thread kernelSide = Thread.ofVirtual().start(() -> {
                try (Socket s = listening.accept()) {
                    byte[] got = s.getInputStream().readNBytes(request.length);
                    s.getOutputStream().write(sha256(got));
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Socket plain = new SynackSocket(bench.stack, KernelInterop.KERNEL_IP, PORT);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, KernelInterop.KERNEL_IP, PORT, true)) {
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
                assertThat(s.getInputStream().readNBytes(32)).isEqualTo(sha256(request));
            } finally {
                kernelSide.join(Duration.ofSeconds(30));
                listening.close();
            }
        }
    }

    /** The X509TrustManager OkHttp wants beside the factory: one trusting the test's certificate. */
    private static X509TrustManager trustManager(Path dir) throws Exception {
        java.security.KeyStore keys = java.security.KeyStore.getInstance(dir.resolve("key.p12").toFile(), "synack-test".toCharArray());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }
}
