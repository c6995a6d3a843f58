package dev.synack.tcp;

/** Chooses initial sequence numbers. Tests inject fixed ones. */
@FunctionalInterface
public interface IsnGenerator {
    int isn(FourTuple tuple, long nowNanos);

    /** Always {@code value}: for tests and scripted scenarios. */
    static IsnGenerator fixed(int value) {
        return (tuple, now) -> value;
    }
}
