/**
 * Hostile input for the whole input path: {@link dev.synack.fuzz.StackFuzzer} drives two stacks
 * with live connections in virtual time while it throws mutated, spliced and random packets at
 * them, and checks that they still deliver their bytes exactly; {@link dev.synack.fuzz.PacketEdits}
 * are the edits it (and tests) make to IPv4 packets. Sits on top of the stack like the command
 * line, which runs it as {@code synack fuzz}; never used by the stack.
 */
package dev.synack.fuzz;
