/**
 * A runner for scripts in packetdrill's syntax (the {@code synack pkt} command).
 *
 * <p>{@link dev.synack.pkt.ScriptParser} reads a script into a {@link dev.synack.pkt.Script};
 * {@link dev.synack.pkt.ScriptRunner} plays it against one {@link dev.synack.stack.NetStack} in
 * virtual time, the script itself being the remote host: inbound lines ({@code <}) are encoded and
 * delivered at their times, outbound lines ({@code >}) are matched against what the stack sent
 * (flags, relative seq/ack, length, window when written, options in order), and system calls act on
 * the stack's engine with Linux's semantics ({@link dev.synack.pkt.SyscallTable}). Blocking calls are
 * conditions re-tried as virtual time advances, so a run is single-threaded and deterministic.
 *
 * <p>What synack cannot run faithfully (shell commands other than {@code defaults.sh}, Python blocks,
 * IPv6, ECN annotations, per-socket buffer sizes, unsupported system calls) makes a script
 * <em>skipped</em> with the reason; no line is ever ignored. {@link dev.synack.pkt.PktRunner} runs
 * files and prints one {@link dev.synack.pkt.Outcome} per script and a summary.
 */
package dev.synack.pkt;
