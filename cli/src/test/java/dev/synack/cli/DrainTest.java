package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.synack.link.MemoryLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How serve and connect describe a connection's failure: a reset after the peer's FIN is no alarm. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DrainTest {
    /** Connects a client to a server on MemoryLink; the client resets (SO_LINGER 0) after {@code finFirst}. */
    private static String serverWriteAfterClientReset(boolean finFirst) throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack serverStack = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            NetStack clientStack = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            try (TcpServerSocket listener = new TcpServerSocket(serverStack, 7, 8);
                 TcpSocket client = new TcpSocket(clientStack)) {
                client.connect(new InetSocketAddress("10.0.0.2", 7));
                TcpSocket server = listener.accept();
                if (finFirst) {
                    client.shutdownOutput();
                    assertThat(server.getInputStream().read()).isEqualTo(-1);
                    assertThat(server.state()).isEqualTo(TcpState.CLOSE_WAIT);
                }
                client.setSoLinger(true, 0);
                client.close();
                while (server.state() != TcpState.CLOSED) Thread.sleep(5);
                IOException e = catchThrowableOfType(IOException.class, () -> server.getOutputStream().write(new byte[100]));
                assertThat(e).isNotNull();
                return Drain.describeFailure(server, e);
            }
        }
    }

    @Test
    void aResetAfterThePeersFinIsToldCalmly() throws Exception {
        String said = serverWriteAfterClientReset(true);
        assertThat(said).isEqualTo("peer reset the connection after its FIN").doesNotContainIgnoringCase("broken pipe");
    }

    @Test
    void aResetOfAnOpenConnectionIsAnError() throws Exception {
        assertThat(serverWriteAfterClientReset(false)).isEqualTo("Connection reset");
    }
}
