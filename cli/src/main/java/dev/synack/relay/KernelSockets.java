package dev.synack.relay;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Makes the relays' kernel sockets on one platform thread started by the thread that makes this
 * object, so that they belong to its network namespace whichever thread asks. A socket belongs to
 * the namespace of the thread that creates it, and a virtual thread runs on a carrier that may have
 * been started by a thread in another namespace (a TUN device's reader, when the device was made in
 * the client's namespace with --netns). Sockets are created unconnected; connecting and all I/O
 * happen on the caller's thread.
 */
public final class KernelSockets implements AutoCloseable {
    private final ExecutorService maker = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("kernel-sockets").unstarted(r));

    /** An unconnected, blocking TCP socket. */
    public Socket tcp() throws IOException {
        return make(() -> SocketChannel.open().socket());
    }

    /** An unbound, blocking UDP socket (its receive timeout works: a channel's adaptor). */
    public DatagramSocket udp() throws IOException {
        return make(() -> DatagramChannel.open().socket());
    }

    private <T> T make(Callable<T> what) throws IOException {
        try {
            return maker.submit(what).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("cannot create a kernel socket", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating a kernel socket");
        }
    }

    @Override
    public void close() {
        maker.shutdownNow();
    }
}
