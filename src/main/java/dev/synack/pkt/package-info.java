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
 * <p>Shell commands are read by {@link dev.synack.pkt.ShellCommands} (sysctls onto the stack's
 * TcpConfig); {@code %{ }%} code blocks by {@link dev.synack.pkt.TcpInfoCode} over a TCP_INFO
 * snapshot of the socket under test. What synack cannot run faithfully (a shell command or sysctl
 * without a synack setting, Python beyond asserts and assignments, a tcp_info field synack does not
 * report, IPv6, ECN, Fast Open, unsupported system calls, flags and options) makes a script
 * <em>skipped</em> with the reason; no line is ever ignored. {@link dev.synack.pkt.PktRunner} runs
 * files and prints one {@link dev.synack.pkt.Outcome} per script and a summary.
 */
package dev.synack.pkt;
