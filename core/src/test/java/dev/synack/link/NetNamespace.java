package dev.synack.link;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test creates ({@code ip netns add synack-XXXX}, loopback up) and deletes
 * again, with a platform thread that has joined it: whatever that thread creates (the TUN device,
 * kernel sockets) belongs to the namespace, so no packet of a test ever leaves it. Sockets keep their
 * namespace and may then be used from any thread.
 */
final class NetNamespace implements AutoCloseable {
    final String name;
    private final NetworkNamespace namespace;
    private final ExecutorService inside;

    private NetNamespace(NetworkNamespace namespace) {
        this.namespace = namespace;
        this.name = namespace.name();
        this.inside = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("netns-" + name).unstarted(r));
    }

    /**
     * Skips the calling test (with the reason printed) unless this machine allows TUN interop tests:
     * root, /dev/net/tun and the ip tool.
     */
    static void assumeAvailable() {
        String user = System.getProperty("user.name");
        boolean root = "root".equals(user) || uid() == 0;
        String reason = null;
        if (!Files.exists(TunLink.CLONE_DEVICE)) reason = "no /dev/net/tun on this machine";
        else if (!root) reason = "not running as root (TUN devices and network namespaces need CAP_NET_ADMIN)";
        else if (!tool("ip", "-V")) reason = "the ip tool (iproute2) is not installed";
        if (reason != null) System.out.println("SKIPPED kernel interop test: " + reason);
        assumeTrue(reason == null, "kernel interop test skipped: " + reason);
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException e) {
            // Fall through: unknown means not root.
        }
        return -1;
    }

    private static boolean tool(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Creates a fresh namespace with loopback up, and the thread inside it. */
    static NetNamespace create() throws IOException {
        NetNamespace ns = new NetNamespace(NetworkNamespace.create("synack"));
        try {
            ns.call(() -> {
                ns.namespace.enterCurrentThread();
                return null;
            });
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Runs {@code task} on the thread inside the namespace and returns its result. */
    <T> T call(Callable<T> task) throws IOException {
        Future<T> f = inside.submit(task);
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw new IOException("task in namespace " + name + " did not finish in 60 s");
        }
    }

    /** Runs {@code ip netns exec NAME COMMAND...} and returns its output. */
    String exec(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return TunDevice.runTool(full);
    }

    /** The kernel's TCP sockets in the namespace, as {@code ss -tan} prints them. */
    String ss() throws IOException {
        return exec("ss", "-tan");
    }

    @Override
    public void close() throws IOException {
        inside.shutdownNow();
        try {
            inside.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        namespace.close();
    }
}
