package dev.synack.stack;

import dev.synack.wire.IpAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One host split into shards: several {@link NetStack}s with the same addresses and
 * configuration, each with its own lock, event loop, timers and connections, so that as many
 * threads work on the host at once as there are shards. A flow (4-tuple) belongs to one shard,
 * chosen by {@link FlowShard}'s hash of its two endpoints; the link delivers each packet to its
 * flow's shard, and a shard's active opens choose ephemeral ports whose flows are its own. A
 * server listens on every shard (the same port on each, as SO_REUSEPORT listeners do on Linux);
 * a client may connect from any shard ({@link #next()} takes them in turn). A readiness handler
 * may use the sockets of any shard (handlers run with no lock held).
 *
 * <p>Made by a link that routes by flow (dev.synack.link.MemoryLink#addShardedHost).
 */
public final class StackShards implements AutoCloseable {
    private final List<NetStack> shards;
    private final AtomicInteger turn = new AtomicInteger();

    /** Makes {@code shards} the shards of one host, in index order (none may have connections yet). */
    public StackShards(List<NetStack> shards) {
        if (shards.isEmpty()) throw new IllegalArgumentException("a host needs at least one shard");
        this.shards = List.copyOf(shards);
        for (int i = 0; i < this.shards.size(); i++) this.shards.get(i).shard(i, this.shards.size());
    }

    /** How many shards. */
    public int count() { return shards.size(); }

    /** Shard {@code index}. */
    public NetStack shard(int index) { return shards.get(index); }

    /** Every shard, in index order. */
    public List<NetStack> all() { return shards; }

    /** The shard the flow between the two endpoints belongs to. */
    public NetStack forFlow(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        return shards.get(FlowShard.of(local, localPort, remote, remotePort, shards.size()));
    }

    /** The shards in turn, for active opens (each chooses a port whose flow is its own). */
    public NetStack next() {
        return shards.get(Math.floorMod(turn.getAndIncrement(), shards.size()));
    }

    /** The sum of a counter over every shard. */
    public long counter(Counter counter) {
        long sum = 0;
        for (NetStack s : shards) sum += s.counter(counter);
        return sum;
    }

    /** Closes every shard. */
    @Override
    public void close() {
        for (NetStack s : shards) s.close();
    }
}
