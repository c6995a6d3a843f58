package dev.synack.link;

import dev.synack.stack.FlowShard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Steering a multi-queue TUN device's packets to the queue of their flow's shard
 * (TUNSETSTEERINGEBPF): a small eBPF socket-filter program, built here instruction by instruction,
 * computes {@link FlowShard}'s hash of each packet's 4-tuple, so the kernel hands every packet of a
 * flow, its SYN included, to the reader of the shard that owns it. Without it the tun driver
 * learns a flow's queue only from the flow's first write, so a new connection's SYN lands on a queue
 * its own hash picks, and that queue's reader takes another shard's lock. Anything other than TCP
 * (and IPv4 fragments, IPv6 with extension headers) goes to queue 0, as {@link FlowShard} sends it
 * to shard 0.
 */
final class TunSteering {
    /** _IOR('T', 224, int) from linux/if_tun.h. */
    static final long TUNSETSTEERINGEBPF = 0x800454e0L;
    /** bpf(2)'s number: 321 on x86-64, 280 on arm64 (the generic table); -1 elsewhere (no steering). */
    private static final long SYS_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321;
        case "aarch64", "arm64" -> 280;
        default -> -1;
    };
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;

    // Registers: r0 takes each packet load (LD_ABS/LD_IND clobber r0-r5), r6 the context, r7-r9 survive loads.
    private static final int R0 = 0, R1 = 1, R6 = 6, R7 = 7, R8 = 8, R9 = 9;
    // Multipliers of FlowShard's mixes.
    private static final long K_HI = 0x9e3779b97f4a7c15L;
    private static final long K_ENDPOINT = 0x94d049bb133111ebL;
    private static final long K_FINAL = 0xbf58476d1ce4e5b9L;

    private TunSteering() {}

    /**
     * Loads the program for {@code queues} queues and attaches it to the device of {@code fd} (any
     * of its queues); the device keeps it. Throws when the kernel refuses (no eBPF, a verifier that
     * rejects it): the device then keeps the tun driver's own steering.
     */
    static void attach(int fd, int queues) throws IOException {
        if (SYS_BPF < 0) throw new IOException("no bpf(2) number known for " + System.getProperty("os.arch"));
        try (Arena arena = Arena.ofConfined()) {
            byte[] code = program(queues);
            MemorySegment insns = arena.allocate(code.length, 8);
            MemorySegment.copy(code, 0, insns, ValueLayout.JAVA_BYTE, 0, code.length);
            MemorySegment license = arena.allocateFrom("GPL", StandardCharsets.US_ASCII);
            MemorySegment attr = arena.allocate(128, 8); // union bpf_attr, BPF_PROG_LOAD's part; the rest zero
            attr.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_SOCKET_FILTER);
            attr.set(ValueLayout.JAVA_INT, 4, code.length / 8);
            attr.set(ValueLayout.JAVA_LONG, 8, insns.address());
            attr.set(ValueLayout.JAVA_LONG, 16, license.address());
            int prog = (int) Libc.syscall(SYS_BPF, BPF_PROG_LOAD, attr, attr.byteSize(), "bpf(BPF_PROG_LOAD) of the TUN steering program");
            try {
                MemorySegment progFd = arena.allocate(ValueLayout.JAVA_INT);
                progFd.set(ValueLayout.JAVA_INT, 0, prog);
                Libc.ioctl(fd, TUNSETSTEERINGEBPF, progFd, "TUNSETSTEERINGEBPF", null);
            } finally {
                Libc.close(prog); // the device holds its own reference
            }
        }
    }

    /** The program's instructions (struct bpf_insn, little-endian): returns the packet's queue. */
    static byte[] program(int queues) {
        Asm a = new Asm();
        a.movX(R6, 1);                       // r6 = ctx (the skb), which packet loads read
        a.ldAbs(Asm.B, 0);                   // version
        a.rshK(R0, 4);
        a.jeqK(R0, 6, "v6");
        a.jneK(R0, 4, "other");
        // IPv4: TCP, not a fragment.
        a.ldAbs(Asm.B, 9);
        a.jneK(R0, 6, "other");
        a.ldAbs(Asm.H, 6);
        a.andK(R0, 0x1fff);
        a.jneK(R0, 0, "other");
        a.ldAbs(Asm.B, 0);
        a.andK(R0, 0x0f);
        a.lshK(R0, 2);
        a.movX(R7, R0);                      // r7 = IHL in bytes
        ipv4Endpoint(a, 12, 0);
        a.movX(R9, R8);
        ipv4Endpoint(a, 16, 2);
        a.addX(R9, R8);
        a.ja("final");
        // IPv6: TCP right behind the fixed header.
        a.label("v6");
        a.ldAbs(Asm.B, 6);
        a.jneK(R0, 6, "other");
        ipv6Endpoint(a, 8, 40);
        a.movX(R9, R8);
        ipv6Endpoint(a, 24, 42);
        a.addX(R9, R8);
        // FlowShard's final mix, then the top of (hash mod 2^32) x queues.
        a.label("final");
        mix(a, R9, 29, K_FINAL, 32);
        a.lshK(R9, 32);
        a.rshK(R9, 32);
        a.mulK(R9, queues);
        a.rshK(R9, 32);
        a.movX(R0, R9);
        a.exit();
        a.label("other");
        a.movK(R0, 0);
        a.exit();
        return a.bytes();
    }

    /** r8 = FlowShard's endpoint mix of the IPv4 address at {@code address} and the port at IHL + {@code port}. */
    private static void ipv4Endpoint(Asm a, int address, int port) {
        a.ldAbs(Asm.W, address);
        a.movX(R8, R0);
        a.ldImm64(R1, 0x0000_ffffL << 32); // IpAddress.ipv4Lo: the IPv4-mapped low half
        a.orX(R8, R1);
        a.ldInd(Asm.H, R7, port);
        a.lshK(R0, 48);
        a.xorX(R8, R0);
        mix(a, R8, 31, K_ENDPOINT, 29);
    }

    /** r8 = FlowShard's endpoint mix of the IPv6 address at {@code address} and the port at {@code port}. */
    private static void ipv6Endpoint(Asm a, int address, int port) {
        a.ldAbs(Asm.W, address);
        a.movX(R8, R0);
        a.lshK(R8, 32);
        a.ldAbs(Asm.W, address + 4);
        a.orX(R8, R0);                       // r8 = high half
        a.ldImm64(R1, K_HI);
        a.mulX(R8, R1);
        a.ldAbs(Asm.W, address + 8);
        a.movX(R7, R0);
        a.lshK(R7, 32);
        a.ldAbs(Asm.W, address + 12);
        a.orX(R7, R0);                       // r7 = low half
        a.xorX(R8, R7);
        a.ldAbs(Asm.H, port);
        a.lshK(R0, 48);
        a.xorX(R8, R0);
        mix(a, R8, 31, K_ENDPOINT, 29);
    }

    /** r ^= r >>> before; r *= k; r ^= r >>> after (FlowShard's mixes), with r1 as scratch. */
    private static void mix(Asm a, int r, int before, long k, int after) {
        a.movX(R1, r);
        a.rshK(R1, before);
        a.xorX(r, R1);
        a.ldImm64(R1, k);
        a.mulX(r, R1);
        a.movX(R1, r);
        a.rshK(R1, after);
        a.xorX(r, R1);
    }

    /** Just enough of an eBPF assembler: the instructions above, and forward jumps to labels. */
    private static final class Asm {
        static final int W = 0x00, H = 0x08, B = 0x10;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final java.util.Map<String, Integer> labels = new java.util.HashMap<>();
        private final java.util.List<Object[]> jumps = new java.util.ArrayList<>(); // {instruction index, label}
        private int count;

        private void insn(int code, int dst, int src, int off, int imm) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) code).put((byte) ((src << 4) | dst)).putShort((short) off).putInt(imm);
            out.writeBytes(b.array());
            count++;
        }

        void movX(int dst, int src) { insn(0xbf, dst, src, 0, 0); }
        void movK(int dst, int imm) { insn(0xb7, dst, 0, 0, imm); }
        void addX(int dst, int src) { insn(0x0f, dst, src, 0, 0); }
        void mulX(int dst, int src) { insn(0x2f, dst, src, 0, 0); }
        void mulK(int dst, int imm) { insn(0x27, dst, 0, 0, imm); }
        void orX(int dst, int src) { insn(0x4f, dst, src, 0, 0); }
        void xorX(int dst, int src) { insn(0xaf, dst, src, 0, 0); }
        void andK(int dst, int imm) { insn(0x57, dst, 0, 0, imm); }
        void lshK(int dst, int imm) { insn(0x67, dst, 0, 0, imm); }
        void rshK(int dst, int imm) { insn(0x77, dst, 0, 0, imm); }
        void ldImm64(int dst, long imm) {
            insn(0x18, dst, 0, 0, (int) imm);
            insn(0x00, 0, 0, 0, (int) (imm >>> 32));
        }
        /** r0 = the big-endian W/H/B at packet offset {@code off}. */
        void ldAbs(int size, int off) { insn(0x20 | size, 0, 0, 0, off); }
        /** r0 = the big-endian W/H/B at packet offset src + {@code off}. */
        void ldInd(int size, int src, int off) { insn(0x40 | size, 0, src, 0, off); }
        void exit() { insn(0x95, 0, 0, 0, 0); }
        void ja(String label) { jump(0x05, 0, 0, label); }
        void jeqK(int dst, int imm, String label) { jump(0x15, dst, imm, label); }
        void jneK(int dst, int imm, String label) { jump(0x55, dst, imm, label); }
        private void jump(int code, int dst, int imm, String label) {
            jumps.add(new Object[] {count, label});
            insn(code, dst, 0, 0, imm);
        }
        void label(String name) { labels.put(name, count); }

        byte[] bytes() {
            byte[] b = out.toByteArray();
            ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            for (Object[] j : jumps) {
                int at = (int) j[0];
                Integer target = labels.get((String) j[1]);
                if (target == null) throw new IllegalStateException("no label " + j[1]);
                le.putShort(at * 8 + 2, (short) (target - at - 1));
            }
            return b;
        }
    }
}
