package dev.synack.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's TLS layered over synack sockets, both ends: SSLSocketFactory.createSocket(socket, host,
 * port, true) on the client's SynackSocket, and the server mode createSocket(socket, null, true) on
 * the socket a SynackServerSocket accepted; a TLS 1.3 handshake with a certificate made by keytool,
 * host name checked, then bytes compared both ways. Real time over MemoryLink, virtual threads.
 */
@Timeout(60)
class TlsLayeringTest {
    @TempDir
    Path dir;

    @Test
    void tlsHandshakeAndDataBothWaysOverSynackSockets() throws Exception {
        SSLContext tls = TestKeys.selfSignedContext(dir);
        byte[] request = new byte[200_000];
        new Random(17).nextBytes(request);
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            SynackServerSocket listening = new SynackServerSocket(server, 443);
            Future<byte[]> serverGot = threads.submit(() -> {
                try (Socket plain = listening.accept();
                     SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, true)) {
                    assertThat(s.getUseClientMode()).isFalse();
                    byte[] got = s.getInputStream().readNBytes(request.length);
                    s.getOutputStream().write(MessageDigest.getInstance("SHA-256").digest(got));
                    s.getOutputStream().write(got, 0, 1000);
                    s.getOutputStream().flush();
                    assertThat(s.getInputStream().read()).isEqualTo(-1); // the client's close_notify
                    return got;
                }
            });
            Future<byte[]> clientGot = threads.submit(() -> {
                Socket plain = new SynackSocket(client);
                plain.connect(new java.net.InetSocketAddress("10.0.0.2", 443), 5000);
                try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", 443, true)) {
                    SSLParameters p = s.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name "localhost"
                    s.setSSLParameters(p);
                    s.startHandshake();
                    assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
                    assertThat(s.getSession().getPeerPrincipal().getName()).isEqualTo("CN=localhost");
                    s.getOutputStream().write(request);
                    s.getOutputStream().flush();
                    InputStream in = s.getInputStream();
                    return in.readNBytes(32 + 1000);
                }
            });
            byte[] atServer = serverGot.get(30, TimeUnit.SECONDS);
            byte[] atClient = clientGot.get(30, TimeUnit.SECONDS);
            listening.close();
            assertThat(atServer).isEqualTo(request);
            byte[] expected = new byte[32 + 1000];
            System.arraycopy(MessageDigest.getInstance("SHA-256").digest(request), 0, expected, 0, 32);
            System.arraycopy(request, 0, expected, 32, 1000);
            assertThat(atClient).isEqualTo(expected);
        }
    }
}
