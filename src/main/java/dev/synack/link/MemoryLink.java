package dev.synack.link;

import dev.synack.stack.Clock;
import dev.synack.stack.NetStack;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real-time link between stacks in the same JVM, without delay or loss: a packet sent by one
 * stack is copied and queued on the destination stack's event loop. Each host's stack runs its own
 * real-time event loop (started by {@link #addHost}, stopped by {@link #close()}); sockets on them
 * block in real time and can be used from any thread, virtual threads included.
 *
 * <p><b>Checksum offload</b> (on by default): bytes never change in memory, so, as on the kernel's
 * loopback device, a stack sending through this link leaves the TCP checksum uncomputed (zero) and the
 * receiving stack is told not to verify it. Only packets handed to this link directly by a stack
 * attached to it are trusted: a stack that sends through a wrapper such as {@link FaultyLink} (which
 * may corrupt bytes) computes its checksums and its packets are verified. A capture on the sending
 * stack (a packet tap) sees complete checksums; one on the receiving stack sees zero, as a capture on
 * the kernel's loopback shows unfinished ones. {@code new MemoryLink(false)} computes and verifies
 * every checksum.
 */
public final class MemoryLink implements Link, AutoCloseable {
    private final Map<Integer, NetStack> byAddress = new ConcurrentHashMap<>();
    private final List<NetStack> stacks = new CopyOnWriteArrayList<>();
    private final boolean checksumOffload;

    /** A link with checksum offload. */
    public MemoryLink() {
        this(true);
    }

    /** A link with or without checksum offload (see the class comment). */
    public MemoryLink(boolean checksumOffload) {
        this.checksumOffload = checksumOffload;
    }

    @Override
    public boolean offloadsTcpChecksums() {
        return checksumOffload;
    }

    @Override
    public synchronized NetStack addHost(String name, String ipv4, TcpConfig config) {
        int address = Ipv4Address.parse(ipv4);
        if (byAddress.containsKey(address)) throw new IllegalArgumentException("address " + ipv4 + " is already attached");
        NetStack stack = new NetStack(name, address, Objects.requireNonNull(config), Clock.system(),
                Rfc6528IsnGenerator.withRandomKey(), System.nanoTime());
        stack.attach(this, null);
        byAddress.put(address, stack);
        stacks.add(stack);
        stack.start();
        return stack;
    }

    @Override
    public void transmit(NetStack from, ByteBuffer packet) {
        int destination = packet.remaining() >= 20 ? packet.getInt(packet.position() + 16) : 0;
        NetStack to = byAddress.get(destination);
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(packet.duplicate()).flip();
        if (to == null) {
            from.traceDrop(copy, "no host at " + Ipv4Address.format(destination));
            return;
        }
        // Trusted only when the sender handed it here itself: nothing between could have changed it.
        to.enqueue(copy, checksumOffload && from.isAttachedTo(this));
    }

    /** Stops every host's event loop. */
    @Override
    public void close() {
        for (NetStack s : stacks) s.close();
    }
}
