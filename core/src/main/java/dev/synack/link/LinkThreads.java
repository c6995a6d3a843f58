package dev.synack.link;

import dev.synack.stack.FatalErrorHandler;
import dev.synack.stack.NetStack;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/** What a link's own thread (a reader, a delay scheduler, a carrier) does with a packet and with an error it caught. */
final class LinkThreads {
    private LinkThreads() {}

    /** Queues a packet a link's reader received on its host's event loop; counted as dropped while there is no host yet. */
    static void enqueue(NetStack stack, ByteBuffer packet, AtomicLong dropped) {
        if (stack == null) {
            dropped.incrementAndGet();
            return;
        }
        stack.enqueue(packet);
    }

    /**
     * Reports {@code error}, caught at the top of a link thread's work for {@code stack}, and returns
     * so that the thread carries on: the stack counts it, or hands a fatal one to its
     * {@link FatalErrorHandler}. Without a stack yet, a fatal error goes to the library's default
     * handler and any other is only counted by the caller.
     */
    static void failed(NetStack stack, String where, Throwable error) {
        if (stack != null) {
            stack.threadFailed(where, error);
        } else if (FatalErrorHandler.isFatal(error)) {
            FatalErrorHandler.PRINT.fatalError(null, where, error);
        }
    }
}
