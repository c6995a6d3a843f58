package dev.synack.link;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A Linux network namespace made with {@code ip netns add} (loopback up) and deleted by
 * {@link #close()}, with what devices and kernel sockets inside it need: {@link #ip} runs the ip
 * tool there, and {@link #enterCurrentThread()} moves the calling platform thread in, so that the
 * kernel sockets it then opens live there (setns(2) changes only the calling thread). Benchmarks
 * and tests use it to put the kernel's TCP on the far side of a device without touching the
 * machine's own network. Needs root (CAP_SYS_ADMIN) and iproute2.
 */
public final class NetworkNamespace implements AutoCloseable {
    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** A new namespace named {@code prefix} and a random suffix, its loopback up. */
    public static NetworkNamespace create(String prefix) throws IOException {
        String name = prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffff_ffffL);
        TunDevice.runTool(List.of("ip", "netns", "add", name));
        NetworkNamespace ns = new NetworkNamespace(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The name {@code ip netns} knows it by. */
    public String name() { return name; }

    /** Runs {@code ip ARGS} inside the namespace ({@code ip -n NAME ARGS}); its output, or an IOException saying why it failed. */
    public String ip(String... args) throws IOException {
        List<String> namespaced = new ArrayList<>(List.of("-n", name));
        namespaced.addAll(List.of(args));
        return ipHere(namespaced.toArray(String[]::new));
    }

    /** Runs {@code ip ARGS} in the namespace the process runs in; its output, or an IOException saying why it failed. */
    public static String ipHere(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        return TunDevice.runTool(command);
    }

    /**
     * Moves the calling thread into the namespace for the rest of its life: sockets it opens from
     * now on are the namespace's. A platform thread only (a virtual thread would move its carrier,
     * and other virtual threads with it).
     */
    public void enterCurrentThread() throws IOException {
        enterCurrentThread(name);
    }

    /** As {@link #enterCurrentThread()}, into the existing namespace {@code ip netns} knows as {@code name}. */
    public static void enterCurrentThread(String name) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a virtual thread cannot enter a network namespace: its carrier would");
        }
        Libc.setNetworkNamespace("/run/netns/" + name);
    }

    /** Deletes the namespace (its devices with it). */
    /**
     * Runs {@code task} on a new platform thread that has entered this namespace (threads it starts
     * are there too; sockets keep the namespace they were opened in), waits for it and returns its
     * result, or throws what it threw.
     */
    public <T> T call(java.util.concurrent.Callable<T> task) throws Exception {
        java.util.concurrent.atomic.AtomicReference<T> result = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = Thread.ofPlatform().name("in-" + name).start(() -> {
            try {
                enterCurrentThread();
                result.set(task.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) throw failure.get();
        return result.get();
    }

    @Override
    public void close() throws IOException {
        TunDevice.runTool(List.of("ip", "netns", "del", name));
    }

    @Override
    public String toString() {
        return "NetworkNamespace[" + name + "]";
    }
}
