package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** serve --http's connection handling: persistent connections, pipelining, Content-Length, closing. */
class HttpConnectionTest {
    private final List<String> answered = new ArrayList<>();

    /** Serves {@code input} (then EOF) and returns what was written back. */
    private String serve(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new HttpConnection(in, out).serve(r -> {
            answered.add(r.line());
            return HttpConnection.Response.text("page for " + r.target() + "\n");
        });
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private String serve(String input) throws IOException {
        return serve(new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** The responses in {@code text}, split by their Content-Length (so a wrong length fails the split). */
    private static List<String> responses(String text) {
        List<String> all = new ArrayList<>();
        int at = 0;
        Pattern length = Pattern.compile("Content-Length: (\\d+)\r\n");
        while (at < text.length()) {
            int headEnd = text.indexOf("\r\n\r\n", at) + 4;
            Matcher m = length.matcher(text.substring(at, headEnd));
            assertThat(m.find()).as("Content-Length in " + text.substring(at, headEnd)).isTrue();
            int end = headEnd + Integer.parseInt(m.group(1));
            all.add(text.substring(at, end));
            at = end;
        }
        return all;
    }

    @Test
    void pipelinedHttp11RequestsAreAnsweredInOrderOnOneConnection() throws IOException {
        String out = serve("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n");
        assertThat(answered).containsExactly("GET /a HTTP/1.1", "POST /b HTTP/1.1", "GET /c HTTP/1.1");
        List<String> responses = responses(out);
        assertThat(responses).hasSize(3);
        assertThat(responses.get(0)).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: keep-alive\r\n").endsWith("page for /a\n");
        assertThat(responses.get(1)).endsWith("page for /b\n");
        assertThat(responses.get(2)).contains("Connection: close\r\n").endsWith("page for /c\n");
    }

    @Test
    void http10KeepsTheConnectionOnlyWhenAsked() throws IOException {
        // As ab -k asks: HTTP/1.0 with "Connection: Keep-Alive".
        String out = serve("GET /1 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\nGET /3 HTTP/1.0\r\n\r\n");
        assertThat(answered).containsExactly("GET /1 HTTP/1.0", "GET /2 HTTP/1.0");
        List<String> responses = responses(out);
        assertThat(responses.get(0)).contains("Connection: keep-alive\r\n");
        assertThat(responses.get(1)).contains("Connection: close\r\n");
    }

    @Test
    void requestsArrivingInPiecesAreReassembled() throws IOException {
        byte[] all = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        InputStream trickle = new InputStream() {
            int next;

            @Override
            public int read() {
                return next < all.length ? all[next++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (next == all.length) return -1;
                b[off] = all[next++];
                return 1;
            }
        };
        assertThat(responses(serve(trickle))).hasSize(2);
        assertThat(answered).containsExactly("GET /a HTTP/1.1", "GET /b HTTP/1.1");
    }

    @Test
    void anIdleTimeoutBetweenRequestsEndsTheConnectionQuietly() throws IOException {
        byte[] first = "GET /a HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        InputStream thenIdle = new InputStream() {
            boolean sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent) throw new SocketTimeoutException("Read timed out");
                sent = true;
                System.arraycopy(first, 0, b, off, first.length);
                return first.length;
            }
        };
        assertThat(responses(serve(thenIdle))).hasSize(1);
    }

    @Test
    void aMalformedRequestGetsA400AndTheConnectionCloses() throws IOException {
        String out = serve("NONSENSE\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close\r\n");
        assertThat(answered).isEmpty();
        assertThat(serve("GET / HTTP/1.1\r\nContent-Length: many\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }

    @Test
    void headGetsTheHeadersOnly() throws IOException {
        String out = serve("HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertThat(out).contains("Content-Length: 11\r\n").endsWith("\r\n\r\n");
    }
}
