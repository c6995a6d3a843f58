package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.docs.TunExample;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/getting-started.md's TUN program, run as written in a namespace of its own (root only):
 * the kernel's TCP connects to it through the device it opens and gets its bytes echoed.
 */
class TunExampleTest {
    @Test
    @Timeout(90)
    void theTunProgramEchoesToTheKernel() throws Exception {
        NetNamespace.assumeAvailable();
        try (NetNamespace ns = NetNamespace.create()) {
            // The program opens its device (and runs its ip commands) in its thread's namespace.
            CompletableFuture<Void> program = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("tun-example").start(() -> {
                try {
                    Libc.setNetworkNamespace("/run/netns/" + ns.name);
                    TunExample.main(new String[] {"1"});
                    program.complete(null);
                } catch (Throwable t) {
                    program.completeExceptionally(t);
                }
            });
            String echoed = ns.call(() -> {
                try (Socket kernel = connectWhenUp(program)) {
                    OutputStream out = kernel.getOutputStream();
                    out.write("hello over TUN".getBytes(StandardCharsets.UTF_8));
                    kernel.shutdownOutput();
                    InputStream in = kernel.getInputStream();
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            assertThat(echoed).isEqualTo("hello over TUN");
            program.get(30, TimeUnit.SECONDS); // it served its one client and exited
        }
    }

    /** A kernel socket to the program's port, once the program has its device up and listens. */
    private static Socket connectWhenUp(CompletableFuture<Void> program) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 100 && !program.isDone(); attempt++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.ofLiteral("10.7.0.2"), 7), 1000);
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IOException("the TUN program did not come up" + (program.isDone() ? " (it exited)" : ""), last);
    }
}
