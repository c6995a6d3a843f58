package dev.synack.tcp;

/**
 * The order and padding of the options in our SYN and SYN-ACK (TcpConfig#synOptionLayout). RFC 9293
 * §3.2 leaves the order free; stacks are recognisable by it.
 */
public enum SynOptionLayout {
    /**
     * Linux's tcp_options_write: mss; then sackOK with TS, or nop,nop,TS, or nop,nop,sackOK; then
     * nop,wscale. Every option lands on its natural alignment with NOPs only.
     */
    LINUX,
    /**
     * FreeBSD's tcp_addoptions: mss; nop,wscale; sackOK (after a NOP only if the length so far is
     * odd); TS (after NOPs until the length is 2 modulo 4, so that its values are 4-byte aligned);
     * then EOLs up to a multiple of 4. A full SYN: mss,nop,wscale,sackOK,TS; a SYN-ACK to a SYN with
     * MSS and SACK-permitted only: mss,sackOK,eol,eol.
     */
    BSD
}
