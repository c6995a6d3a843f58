/**
 * A runner for scripts in packetdrill's syntax (the {@code synack pkt} command).
 *
 * <p>{@link dev.synack.pkt.ScriptParser} reads a script into a {@link dev.synack.pkt.Script};
 * {@link dev.synack.pkt.ScriptRunner} plays it against one {@link dev.synack.stack.NetStack} in
 * virtual time, the script itself being the remote host: inbound lines ({@code <}) are encoded and
 * delivered at their times, outbound lines ({@code >}) are matched against what the stack sent
 * (flags, relative seq/ack, length, window when written, options in order; {@link dev.synack.pkt.OptionMatcher}),
 * and system calls are made on non-blocking {@link dev.synack.socket.TcpSocket}s and
 * {@link dev.synack.socket.TcpServerSocket}s with Linux's semantics and errno names
 * ({@link dev.synack.pkt.SyscallTable}; options in {@link dev.synack.pkt.SocketOptionCalls}, poll and
 * epoll in {@link dev.synack.pkt.PollCalls}). Blocking calls are conditions re-tried as virtual time
 * advances, so a run is single-threaded and deterministic.
 *
 * <p>Shell commands are read by {@link dev.synack.pkt.ShellCommands} (sysctls onto the stack's
 * TcpConfig); {@code %{ }%} code blocks by {@link dev.synack.pkt.TcpInfoCode} over a TCP_INFO
 * snapshot of the socket under test. What synack cannot run faithfully (a shell command or sysctl
 * without a synack setting, Python beyond asserts and assignments ({@link dev.synack.pkt.UnsupportedFeatures}), a tcp_info field synack does not
 * report, Accurate ECN, Fast Open, unsupported system calls, flags and options) makes a script
 * <em>skipped</em> with the reason; no line is ever ignored. {@link dev.synack.pkt.PktRunner} runs
 * files and prints one {@link dev.synack.pkt.Outcome} per script and a summary.
 */
package dev.synack.pkt;
