package dev.synack.stack;

import dev.synack.tcp.Listener;

/** Test help: a listener opened the way the socket layer opens one (bind, then listen, under the lock). */
final class Listening {
    private Listening() {}

    static Listener on(NetStack s, int port, int backlog) {
        s.lock();
        try {
            s.bind(port);
            return s.listen(port, backlog);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } finally {
            s.unlock();
        }
    }
}
