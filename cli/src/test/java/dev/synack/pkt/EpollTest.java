package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.pkt.Outcome.Status;
import org.junit.jupiter.api.Test;

/** The runner's epoll as Linux's: what wakes an edge-triggered watch, what does not, and the calls' errors. */
class EpollTest {
    /** A passive connection on fd 4 (peer window 4000 bytes, MSS 1000), non-blocking, its send buffer 4608 bytes. */
    private static final String OPEN = """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 bind(3, ..., ...) = 0
            +0 setsockopt(3, SOL_SOCKET, SO_SNDBUF, [2304], 4) = 0
            +0 listen(3, 1) = 0
            +0 < S 0:0(0) win 4000 <mss 1000>
            +0 > S. 0:0(0) ack 1 <mss 1460>
            +.1 < . 1:1(0) ack 1 win 4000
            +0 accept(3, ..., ...) = 4
            +0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
            +0 epoll_create(1) = 5
            """;

    private static Outcome run(String text) {
        return PktRunner.runText("t.pkt", text);
    }

    private static void passes(String text) {
        Outcome o = run(text);
        assertThat(o.status()).as(o.describe()).isEqualTo(Status.PASS);
    }

    @Test
    void roomAfterAFullBufferWakesAnEdgeTriggeredWatchOnce() {
        passes(OPEN + """
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT|EPOLLET, fd=4}) = 0
                +0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
                +0 write(4, ..., 10000) = 4608
                +0 > P. 1:4001(4000) ack 1
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +.1 < . 1:1(0) ack 4001 win 4000
                +0 > P. 4001:4609(608) ack 1
                +0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +.1 < . 1:1(0) ack 4609 win 4000
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                """);
    }

    @Test
    void aWatchWithoutEdgeTriggeringReportsWhileReady() {
        passes(OPEN + """
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, u64=77}) = 0
                +0 epoll_wait(5, {events=EPOLLOUT, u64=77}, 1, 0) = 1
                +0 epoll_wait(5, {events=EPOLLOUT, u64=77}, 1, 0) = 1
                """);
    }

    @Test
    void aOneShotWatchIsDisabledUntilModified() {
        passes(OPEN + """
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT|EPOLLONESHOT, fd=4}) = 0
                +0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +0 epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLOUT|EPOLLONESHOT, fd=4}) = 0
                +0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
                """);
    }

    @Test
    void aPeerFinWakesTheWatchWithInAndRdhup() {
        passes(OPEN + """
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLRDHUP|EPOLLET, fd=4}) = 0
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +.1 < F. 1:1(0) ack 1 win 4000
                +0 > . 1:1(0) ack 2
                +0 epoll_wait(5, {events=EPOLLIN|EPOLLRDHUP, fd=4}, 1, 0) = 1
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                """);
    }

    @Test
    void misuseGivesLinuxErrors() {
        passes(OPEN + """
                +0 epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLIN, fd=4}) = -1 ENOENT (No such file or directory)
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 9, {events=EPOLLIN, fd=9}) = -1 EBADF (Bad file descriptor)
                +0 epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN, fd=3}) = -1 EINVAL (Invalid argument)
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 5, {events=EPOLLIN, fd=5}) = -1 EINVAL (Invalid argument)
                +0 epoll_wait(4, {events=0, ptr=0}, 1, 0) = -1 EINVAL (Invalid argument)
                +0 epoll_wait(5, {events=0, ptr=0}, 0, 0) = -1 EINVAL (Invalid argument)
                +0 epoll_create(0) = -1 EINVAL (Invalid argument)
                """);
    }

    @Test
    void wrongEventsFailTheScript() {
        Outcome o = run(OPEN + "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLOUT, fd=4}) = 0\n"
                + "+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1\n");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.message()).contains("epoll_wait() events 0x4");
    }
}
