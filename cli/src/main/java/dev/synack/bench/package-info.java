/**
 * Measuring instruments for {@code synack bench}: each measurement runs synack and, in the same
 * run, the kernel's TCP over loopback with plain JDK sockets, so that a figure always comes with
 * the kernel's beside it. Sits on top of the stack like the command line; never used by it.
 */
package dev.synack.bench;
