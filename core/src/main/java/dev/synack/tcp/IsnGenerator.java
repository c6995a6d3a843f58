package dev.synack.tcp;

/** Chooses initial sequence numbers. Tests inject fixed ones. */
@FunctionalInterface
public interface IsnGenerator {
    int isn(FourTuple tuple, long nowNanos);

    /**
     * The SYN cookies of the stack using this generator. This default has fixed keys (for tests and
     * scripted scenarios, whose ISNs are fixed anyway); {@link Rfc6528IsnGenerator} keys them from its secret.
     */
    default SynCookies synCookies() {
        return new SynCookies(0x5ca1ab1e0ddba11L, 0x0ff1cebeefcafeL, 0x7e57ab1ec0ffeeL, 0x5eedf00dd15ea5eL);
    }

    /** Always {@code value}: for tests and scripted scenarios. */
    static IsnGenerator fixed(int value) {
        return (tuple, now) -> value;
    }
}
