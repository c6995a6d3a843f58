package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.pkt.Outcome.Status;
import org.junit.jupiter.api.Test;

/** TCP_INQ in the runner: recvmsg()'s TCP_CM_INQ control message is compared with the script's. */
class TcpInqTest {
    private static final String OPEN = """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 bind(3, ..., ...) = 0
            +0 listen(3, 1) = 0
            +0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>
            +0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
            +.1 < . 1:1(0) ack 1 win 257
            +0 accept(3, ..., ...) = 4
            +0 < P. 1:3001(3000) ack 1 win 257
            +0 > . 1:1(0) ack 3001
            """;

    private static String recv(int len, String control) {
        return "+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., " + len + "}], msg_flags=0, msg_control=" + control + "}, 0) = " + len + "\n";
    }

    private static final String INQ = "[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=%d}]";

    @Test
    void theHintIsWhatRemainsToRead() {
        Outcome o = PktRunner.runText("t.pkt", OPEN + "+0 setsockopt(4, SOL_TCP, TCP_INQ, [1], 4) = 0\n"
                + recv(1000, INQ.formatted(2000)) + recv(2000, INQ.formatted(0)));
        assertThat(o.status()).as(o.describe()).isEqualTo(Status.PASS);
    }

    @Test
    void aWrongHintFails() {
        Outcome o = PktRunner.runText("t.pkt", OPEN + "+0 setsockopt(4, SOL_TCP, TCP_INQ, [1], 4) = 0\n" + recv(1000, INQ.formatted(1999)));
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.message()).contains("TCP_CM_INQ is 2000, expected 1999");
    }

    @Test
    void withoutTheOptionNoControlMessageComes() {
        Outcome o = PktRunner.runText("t.pkt", OPEN + recv(1000, INQ.formatted(2000)));
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.message()).contains("no control message");
        assertThat(PktRunner.runText("t.pkt", OPEN + recv(1000, "[]")).status()).isEqualTo(Status.PASS);
    }

    @Test
    void otherControlMessagesAreSkipped() {
        Outcome o = PktRunner.runText("t.pkt", OPEN + recv(1000, "[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data=0}]"));
        assertThat(o.status()).isEqualTo(Status.SKIP);
    }
}
