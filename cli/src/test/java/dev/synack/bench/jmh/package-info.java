/**
 * JMH microbenchmarks (named *Benchmark so that surefire never runs them): checksum, header decode
 * and encode, demux lookup, timer wheel, and the whole send/receive path between two stacks. Run
 * them with {@code bench/jmh} (e.g. {@code bench/jmh -prof gc BulkTransfer}).
 */
package dev.synack.bench.jmh;
