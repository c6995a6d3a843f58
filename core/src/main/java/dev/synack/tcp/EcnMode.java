package dev.synack.tcp;

/**
 * When a connection uses Explicit Congestion Notification (RFC 3168): Linux's net.ipv4.tcp_ecn and
 * FreeBSD's net.inet.tcp.ecn.enable, whose values 0, 1 and 2 mean the same on both systems.
 */
public enum EcnMode {
    /** 0: never ask for ECN, and refuse it when the peer asks. */
    OFF(0),
    /** 1: ask for ECN in our SYNs (ECE|CWR, RFC 3168 §6.1.1), and accept it when the peer asks. */
    ON(1),
    /**
     * 2: accept ECN when the peer's SYN asks for it, never ask ourselves: the default of Linux and
     * FreeBSD, and of the RFC profile (RFC 3168 §6.1.1 leaves asking to the initiator's choice; a
     * responder that supports ECN agrees).
     */
    PASSIVE(2);

    private final int sysctl;

    EcnMode(int sysctl) { this.sysctl = sysctl; }

    /** The sysctl's value for this mode. */
    public int sysctlValue() { return sysctl; }

    /**
     * The mode of a sysctl value (Linux's tcp_ecn, FreeBSD's ecn.enable).
     *
     * @throws IllegalArgumentException for a value other than 0, 1 or 2
     */
    public static EcnMode ofSysctl(int value) {
        for (EcnMode m : values()) if (m.sysctl == value) return m;
        throw new IllegalArgumentException("ECN mode " + value + " is none of 0 (off), 1 (on), 2 (accept when asked)");
    }

    /** Whether our SYN asks for ECN. */
    boolean requests() { return this == ON; }

    /** Whether a peer's SYN that asks for ECN gets it. */
    boolean accepts() { return this != OFF; }
}
