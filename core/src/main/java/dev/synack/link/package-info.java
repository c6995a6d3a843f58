/**
 * Links move whole IP packets (IPv4 and IPv6) between stacks. {@link dev.synack.link.SimNetwork}: any number of
 * hosts in virtual time, per-direction {@link dev.synack.link.PathConditions} (delay, jitter,
 * independent and burst loss, reordering, duplication, corruption, bandwidth with a drop-tail
 * queue, partitions), deterministic from one seed, application code run as actors that take
 * turns. {@link dev.synack.link.MemoryLink}: real-time stacks in one JVM, each with its own event
 * loop for timers; a packet is delivered by the thread that made its stack send it. {@link dev.synack.link.FaultyLink}: the same conditions in front of any other link (real
 * time, a ScheduledExecutorService for the delays). {@link dev.synack.link.FaultStats}: what the
 * faults did (drops are also traced with their reason).
 *
 * <p>A simulation in five lines:
 * <!-- example: core/src/test/java/dev/synack/docs/JavadocExamples.java#simulation -->
 * <pre>{@code
 * SimNetwork net = new SimNetwork(42).conditions(PathConditions.builder()
 *         .delay(Duration.ofMillis(10)).loss(0.01).reorder(0.02).build());
 * NetStack client = net.addHost("client", "10.0.0.1", TcpConfig.linux());
 * NetStack server = net.addHost("server", "10.0.0.2", TcpConfig.linux());
 * net.addTraceListener(System.out::println);
 * net.spawn("server", () -> { try (TcpServerSocket ss = new TcpServerSocket(server, 80, 8)) { ss.accept().close(); } });
 * net.spawn("client", () -> { try (TcpSocket s = new TcpSocket(client)) { s.connect(new InetSocketAddress("10.0.0.2", 80)); } });
 * net.run();
 * }</pre>
 */
package dev.synack.link;
