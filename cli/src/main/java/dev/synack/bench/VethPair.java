package dev.synack.bench;

import dev.synack.link.NetworkNamespace;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A veth pair for the kernel-against-kernel yardsticks: its near end ({@link #NEAR}) in this
 * process's network namespace, its far end ({@link #FAR}) in a namespace made for it, at one MTU,
 * with the offloads veth ships with (TSO/GSO on). A thread of this process enters the far
 * namespace to open that end's sockets ({@link #insideFar}). {@link #close()} deletes both.
 */
final class VethPair implements AutoCloseable {
    static final String NEAR_DEVICE = "vsynack0";
    static final String FAR_DEVICE = "vsynack1";
    static final String NEAR = "10.8.0.1";
    static final String FAR = "10.8.0.2";

    private final NetworkNamespace far;

    private VethPair(NetworkNamespace far) {
        this.far = far;
    }

    /** The pair, addressed (NEAR/24, FAR/24) and up. */
    static VethPair open(int mtu) throws IOException {
        NetworkNamespace far = NetworkNamespace.create("synack-veth");
        try {
            String m = Integer.toString(mtu);
            NetworkNamespace.ipHere("link", "add", NEAR_DEVICE, "mtu", m, "type", "veth", "peer", "name", FAR_DEVICE,
                    "mtu", m, "netns", far.name());
            VethPair pair = new VethPair(far);
            try {
                NetworkNamespace.ipHere("addr", "add", NEAR + "/24", "dev", NEAR_DEVICE);
                NetworkNamespace.ipHere("link", "set", NEAR_DEVICE, "up");
                far.ip("addr", "add", FAR + "/24", "dev", FAR_DEVICE);
                far.ip("link", "set", FAR_DEVICE, "up");
                return pair;
            } catch (IOException | RuntimeException e) {
                pair.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            try {
                far.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Runs {@code task} on a platform thread inside the far namespace (threads it starts are there
     * too; sockets keep the namespace they were opened in) and returns its result.
     */
    <T> T insideFar(Callable<T> task) throws Exception {
        return far.call(task);
    }

    /** Deletes the pair, then the far namespace (a namespace's own devices would go in the background). */
    @Override
    public void close() throws IOException {
        try {
            NetworkNamespace.ipHere("link", "del", NEAR_DEVICE);
        } finally {
            far.close();
        }
    }
}
