package dev.synack.link;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux libc calls the TUN link needs, bound through java.lang.foreign (no JNI, nothing to
 * build). Every call captures {@code errno} and turns a failure into an {@link IOException} naming the
 * call and the error (the symbolic name, e.g. {@code EPERM}, and its usual text).
 */
final class Libc {
    static final int O_RDWR = 2;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int O_NONBLOCK = 0x800;
    static final short POLLIN = 0x1;
    /** setns(2): the namespace to join is a network namespace. */
    static final int CLONE_NEWNET = 0x40000000;

    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = bind("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle READ = bind("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = bind("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    /** ioctl(int fd, unsigned long request, ...): the third argument is variadic (a pointer here). */
    private static final MethodHandle IOCTL = bind("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** ioctl(int fd, unsigned long request, unsigned long value): requests whose argument is a number, not a pointer. */
    private static final MethodHandle IOCTL_VALUE = bind("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** poll(struct pollfd *fds, nfds_t nfds, int timeout). */
    private static final MethodHandle POLL = bind("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    /** syscall(long number, ...): for bpf(2), which libc does not wrap; every argument passed as a long. */
    private static final MethodHandle SYSCALL3 = bind("syscall",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SETNS = bind("setns",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle STRERROR = bind("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(java.lang.foreign.MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT));

    private Libc() {}

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** An errno from a failed call, with the call that failed. */
    static final class ErrnoException extends IOException {
        private final int errno;

        ErrnoException(String call, int errno, String hint) {
            super(call + " failed: " + describe(errno) + (hint == null ? "" : " (" + hint + ")"));
            this.errno = errno;
        }

        int errno() { return errno; }
    }

    /** "EPERM (Operation not permitted)" style text for an errno. */
    static String describe(int errno) {
        String symbol = switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 13 -> "EACCES";
            case 16 -> "EBUSY";
            case 19 -> "ENODEV";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 25 -> "ENOTTY";
            default -> "errno " + errno;
        };
        return symbol + " (" + strerror(errno) + ")";
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int open(String path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
            if (fd < 0) throw new ErrnoException("open(" + path + ")", errno(state), null);
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("open(" + path + ")", t);
        }
    }

    static void close(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) CLOSE.invokeExact(state, fd);
            if (r < 0) throw new ErrnoException("close(" + fd + ")", errno(state), null);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("close", t);
        }
    }

    /** read(2) into native memory; returns the byte count, or -errno on failure (callers decide). */
    static long read(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            long n = (long) READ.invokeExact(state, fd, buffer, count);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw new IllegalStateException("read(2) call failed", t);
        }
    }

    /** write(2) from native memory; returns the byte count, or -errno on failure. */
    static long write(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            long n = (long) WRITE.invokeExact(state, fd, buffer, count);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw new IllegalStateException("write(2) call failed", t);
        }
    }

    /** ioctl(fd, request, arg); throws naming {@code what} on failure. */
    static void ioctl(int fd, long request, MemorySegment arg, String what, String hint) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) IOCTL.invokeExact(state, fd, request, arg);
            if (r < 0) throw new ErrnoException("ioctl(" + what + ")", errno(state), hint);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("ioctl(" + what + ")", t);
        }
    }

    /** syscall(number, a, b, c) with {@code b} a pointer; returns its result, throws naming {@code what} on failure. */
    static long syscall(long number, long a, MemorySegment b, long c, String what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long r = (long) SYSCALL3.invokeExact(state, number, a, b, c);
            if (r < 0) throw new ErrnoException(what, errno(state), null);
            return r;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(what, t);
        }
    }

    /** ioctl(fd, request, value) for requests that take a number; throws naming {@code what} on failure. */
    static void ioctlValue(int fd, long request, long value, String what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) IOCTL_VALUE.invokeExact(state, fd, request, value);
            if (r < 0) throw new ErrnoException("ioctl(" + what + ")", errno(state), null);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("ioctl(" + what + ")", t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for {@code fd} to become readable. Returns true when it is,
     * false on timeout or EINTR; throws on any other failure.
     */
    static boolean pollReadable(MemorySegment state, MemorySegment pollfd, int fd, int timeoutMillis) throws IOException {
        // struct pollfd { int fd; short events; short revents; }
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int r;
        try {
            r = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
        } catch (Throwable t) {
            throw new IOException("poll(2) call failed", t);
        }
        if (r < 0) {
            int e = errno(state);
            if (e == EINTR) return false;
            throw new ErrnoException("poll", e, null);
        }
        return r > 0;
    }

    /** Allocates the errno capture area a thread reuses across {@link #read}/{@link #write} calls. */
    static MemorySegment allocateCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** struct pollfd: 8 bytes. */
    static MemorySegment allocatePollFd(Arena arena) {
        return arena.allocate(8, 4);
    }

    /**
     * Moves the calling thread (only it: namespaces are per thread on Linux) into the network
     * namespace at {@code path} (e.g. /run/netns/NAME, as made by {@code ip netns add NAME}).
     */
    static void setNetworkNamespace(String path) throws IOException {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int r = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
            if (r < 0) throw new ErrnoException("setns(" + path + ", CLONE_NEWNET)", errno(state), "needs CAP_SYS_ADMIN");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setns", t);
        } finally {
            close(fd);
        }
    }
}
