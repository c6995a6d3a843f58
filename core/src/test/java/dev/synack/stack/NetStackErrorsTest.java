package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.Listener;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Errors on the stack's threads: a readiness handler or a packet tap throwing an Error (out of
 * memory included) never leaves the lock held, never kills the event loop, and a fatal one reaches
 * the stack's {@link FatalErrorHandler}.
 */
@Timeout(30)
class NetStackErrorsTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int REMOTE = Ipv4Address.parse("10.0.0.2");

    private final List<TcpPacket> sent = new CopyOnWriteArrayList<>();
    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();

    private NetStack stack(Clock clock) {
        NetStack s = new NetStack("host", LOCAL, TcpConfig.linux(), clock, IsnGenerator.fixed(1000), 1);
        s.attach((from, packet) -> {
            TcpPacket p = new TcpPacket();
            ByteBuffer copy = ByteBuffer.allocate(packet.remaining()).put(packet.duplicate()).flip();
            if (PacketCodec.decode(copy, p).name().equals("OK")) sent.add(p);
        }, null);
        s.fatalErrorHandler((st, where, error) -> fatal.add(error));
        return s;
    }

    private static ByteBuffer syn(int srcPort, int dstPort) {
        TcpPacket p = new TcpPacket().sourceAddress(REMOTE).destinationAddress(LOCAL);
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(500).flags(TcpFlags.SYN).window(1000);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    private static Listener listen(NetStack s, int port) {
        return Listening.on(s, port, 8);
    }

    /** A watch that throws {@code error} the first time it runs, and whose failed() throws {@code failedError}. */
    private static ReadinessWatch throwingWatch(Error error, Error failedError) {
        AtomicInteger runs = new AtomicInteger();
        return new ReadinessWatch() {
            @Override
            protected void ready() {
                if (runs.getAndIncrement() == 0) throw error;
            }

            @Override
            protected void failed(Throwable e) {
                if (failedError != null) throw failedError;
            }
        };
    }

    /** Whether another thread can take the stack's lock now (the calling thread's own holds do not count). */
    private static boolean lockFreeForOthers(NetStack s) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            if (!s.tryLock()) return false;
            s.unlock();
            return true;
        }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aReadinessHandlerRunningOutOfMemoryLeavesTheLockReleasedAndReportsIt() throws Exception {
        NetStack s = stack(() -> 0);
        Listener l = listen(s, 80);
        OutOfMemoryError oom = new OutOfMemoryError("simulated");
        // Registering marks the watch ready; it runs as the lock is released, and throws.
        s.watch(l, throwingWatch(oom, null));
        assertThat(s.lockHoldCount()).isZero();
        assertThat(lockFreeForOthers(s)).isTrue();
        assertThat(fatal).containsExactly(oom);
        assertThat(s.counter(Counter.HANDLER_ERRORS)).isEqualTo(1);
        // Still usable: a SYN gets its SYN-ACK.
        s.deliver(syn(40000, 80));
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().segment().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
    }

    @Test
    void anErrorFromAHandlersFailureCallbackIsCountedAndTheLockReleased() throws Exception {
        NetStack s = stack(() -> 0);
        Listener l = listen(s, 80);
        s.watch(l, throwingWatch(new Error("handler bug"), new LinkageError("failure callback bug")));
        assertThat(lockFreeForOthers(s)).isTrue();
        assertThat(fatal).isEmpty();
        assertThat(s.counter(Counter.HANDLER_ERRORS)).isEqualTo(1);
        assertThat(s.counter(Counter.INTERNAL_ERRORS)).isEqualTo(1);
        s.deliver(syn(40001, 80));
        assertThat(sent).hasSize(1);
    }

    @Test
    void theEventLoopSurvivesAnOutOfMemoryErrorAndReportsIt() throws Exception {
        NetStack s = stack(Clock.system());
        listen(s, 80);
        OutOfMemoryError oom = new OutOfMemoryError("simulated");
        AtomicInteger tapped = new AtomicInteger();
        s.addPacketTap((st, t, outbound, packet) -> {
            if (!outbound && tapped.getAndIncrement() == 0) throw oom;
        });
        s.start();
        try {
            s.enqueue(syn(40000, 80)); // lost to the error
            s.enqueue(syn(40001, 80)); // answered: the loop lives on
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sent.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(sent).hasSize(1);
            assertThat(sent.getFirst().segment().destinationPort()).isEqualTo(40001);
            assertThat(fatal).containsExactly(oom);
            assertThat(lockFreeForOthers(s)).isTrue();
        } finally {
            s.close();
        }
    }

    @Test
    void anErrorThatIsNotFatalIsCountedAndTheLoopGoesOn() throws Exception {
        NetStack s = stack(Clock.system());
        listen(s, 80);
        AtomicInteger tapped = new AtomicInteger();
        s.addPacketTap((st, t, outbound, packet) -> {
            if (!outbound && tapped.getAndIncrement() == 0) throw new NoClassDefFoundError("simulated");
        });
        s.start();
        try {
            s.enqueue(syn(40000, 80));
            s.enqueue(syn(40001, 80));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sent.size() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
            // A tap's error costs the tap's packet nothing: both SYNs are answered.
            assertThat(sent).hasSize(2);
            assertThat(fatal).isEmpty();
            assertThat(s.counter(Counter.INTERNAL_ERRORS)).isEqualTo(1);
        } finally {
            s.close();
        }
    }

    @Test
    void threadFailedCountsOrdinaryErrorsAndHandsFatalOnesToTheHandler() {
        NetStack s = stack(() -> 0);
        s.threadFailed("test thread", new IllegalStateException("bug"));
        assertThat(s.counter(Counter.INTERNAL_ERRORS)).isEqualTo(1);
        assertThat(fatal).isEmpty();
        InternalError vmError = new InternalError("simulated");
        s.threadFailed("test thread", vmError);
        assertThat(fatal).containsExactly(vmError);
        // A stack overflow unwinds what caused it: counted, not fatal.
        s.threadFailed("test thread", new StackOverflowError());
        assertThat(fatal).hasSize(1);
        assertThat(s.counter(Counter.INTERNAL_ERRORS)).isEqualTo(2);
    }

    /** The command line's handler: a message on stderr and a non-zero exit, decided here without exiting. */
    @Test
    void theExitingHandlerPrintsTheErrorAndExitsWithStatus70() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger status = new AtomicInteger(-1);
        FatalErrorHandler h = FatalErrorHandler.exitProcess(FatalErrorHandler.EXIT_STATUS,
                new PrintStream(err, true, StandardCharsets.UTF_8), status::set);
        h.fatalError(stack(() -> 0), "TUN reader", new OutOfMemoryError("Java heap space"));
        assertThat(status.get()).isEqualTo(70);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("synack: fatal error in TUN reader of host: java.lang.OutOfMemoryError: Java heap space; exiting with status 70");
        assertThatThrownBy(() -> FatalErrorHandler.exitProcess(0, System.err, x -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Out of memory even for the message: the handler still exits. */
    @Test
    void theExitingHandlerExitsWhenPrintingFails() {
        AtomicInteger status = new AtomicInteger(-1);
        PrintStream failing = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String x) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        FatalErrorHandler h = FatalErrorHandler.exitProcess(FatalErrorHandler.EXIT_STATUS, failing, status::set);
        h.fatalError(stack(() -> 0), "TUN reader", new OutOfMemoryError("Java heap space"));
        assertThat(status.get()).isEqualTo(70);
    }

    /** A fatal error that escapes a thread is not handed on (that would need memory); any other is. */
    @Test
    void theLastResortHandlerPassesOnlyNonFatalErrorsOn() {
        java.util.List<Throwable> passed = new java.util.ArrayList<>();
        Thread.UncaughtExceptionHandler h = FatalErrorHandler.haltOnFatal(FatalErrorHandler.EXIT_STATUS, (t, e) -> passed.add(e));
        IllegalStateException ordinary = new IllegalStateException("bug");
        h.uncaughtException(Thread.currentThread(), ordinary);
        h.uncaughtException(Thread.currentThread(), new StackOverflowError());
        assertThat(passed).hasSize(2).startsWith(ordinary);
        // A fatal one would halt this JVM: its decision is isFatal's, tested above.
    }

    @Test
    void newStacksStartWithTheLibrarysPrintingHandler() {
        assertThat(new NetStack("x", LOCAL, TcpConfig.linux(), () -> 0, IsnGenerator.fixed(1), 1).fatalErrorHandler())
                .isSameAs(FatalErrorHandler.PRINT);
    }
}
