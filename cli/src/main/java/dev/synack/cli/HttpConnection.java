package dev.synack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The server side of one HTTP/1.x connection, as {@code serve --http} needs it: requests read in
 * order (pipelined ones included), each answered with a Content-Length, the connection kept open
 * between requests as RFC 9112 section 9.3 says (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only
 * when the client asks for "keep-alive"). The caller sets the socket's read timeout: a read that
 * times out between requests ends the connection quietly (the idle timeout).
 */
final class HttpConnection {
    /** The largest request head (request line and header fields) accepted. */
    static final int MAX_HEAD = 8192;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    /** A request's line and header fields (names in lower case; the last of a repeated field wins). */
    record Request(String method, String target, String version, Map<String, String> headers) {
        String line() {
            return method + " " + target + " " + version;
        }

        /** Whether the client wants the connection kept after this exchange (RFC 9112 section 9.3). */
        boolean keepAlive() {
            String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            if (hasToken(connection, "close")) return false;
            // A body of unknown length would be read as the next request: answer, then close.
            if (headers.containsKey("transfer-encoding")) return false;
            return version.equals("HTTP/1.1") || hasToken(connection, "keep-alive");
        }

        private static boolean hasToken(String list, String token) {
            return Arrays.stream(list.split(",")).anyMatch(t -> t.strip().equals(token));
        }
    }

    /** What to answer: a status, a content type and the body. */
    record Response(int status, String reason, String contentType, byte[] body) {
        static Response text(String text) {
            return new Response(200, "OK", "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Answers a request. */
    @FunctionalInterface
    interface Handler {
        Response answer(Request request) throws IOException;
    }

    private final InputStream in;
    private final OutputStream out;
    /** Bytes read and not yet consumed are buf[start, end): the start of a pipelined request, say. */
    private final byte[] buf = new byte[MAX_HEAD];
    private int start;
    private int end;

    HttpConnection(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** Answers requests until the client closes, asks to close, is idle too long or sends a bad request. */
    void serve(Handler handler) throws IOException {
        while (true) {
            String head;
            try {
                head = readHead();
            } catch (SocketTimeoutException idle) {
                return;
            }
            if (head == null) return;
            Request request = parse(head);
            if (request == null) {
                byte[] body = "bad request\n".getBytes(StandardCharsets.US_ASCII);
                write(new Response(400, "Bad Request", "text/plain; charset=utf-8", body), false, false);
                return;
            }
            boolean keep = request.keepAlive();
            if (keep) skip(contentLength(request));
            write(handler.answer(request), keep, request.method().equals("HEAD"));
            if (!keep) return;
        }
    }

    /**
     * The next request head without its blank line, or null when the client closed before sending
     * one. A head longer than {@link #MAX_HEAD} comes back as it is, and fails to parse.
     */
    private String readHead() throws IOException {
        while (true) {
            int at = indexOf(HEAD_END, start, end);
            if (at >= 0) {
                String head = new String(buf, start, at - start, StandardCharsets.ISO_8859_1);
                start = at + HEAD_END.length;
                return head;
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buf.length) return new String(buf, StandardCharsets.ISO_8859_1);
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) return null;
            end += n;
        }
    }

    private int indexOf(byte[] pattern, int from, int to) {
        for (int i = from; i + pattern.length <= to; i++) {
            if (Arrays.equals(buf, i, i + pattern.length, pattern, 0, pattern.length)) return i;
        }
        return -1;
    }

    /** The request in {@code head}, or null when it is malformed. */
    static Request parse(String head) {
        String[] lines = head.split("\r\n", -1);
        String[] parts = lines[0].split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || !parts[2].startsWith("HTTP/1.")) return null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) return null;
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        Request request = new Request(parts[0], parts[1], parts[2], headers);
        return contentLength(request) < 0 ? null : request;
    }

    /** The request body's length (0 without Content-Length), or -1 when the field is not a number. */
    private static long contentLength(Request request) {
        String value = request.headers().get("content-length");
        if (value == null) return 0;
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Reads and drops the request's body: it is not used, and the next request follows it. */
    private void skip(long length) throws IOException {
        long left = length;
        int buffered = (int) Math.min(left, end - start);
        start += buffered;
        left -= buffered;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(left, buf.length));
            if (n < 0) return;
            left -= n;
        }
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    private void write(Response response, boolean keep, boolean headOnly) throws IOException {
        String head = "HTTP/1.1 " + response.status() + " " + response.reason() + "\r\n"
                + "Content-Type: " + response.contentType() + "\r\n"
                + "Content-Length: " + response.body().length + "\r\n"
                + "Connection: " + (keep ? "keep-alive" : "close") + "\r\n"
                + "Server: synack\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (!headOnly) out.write(response.body());
        out.flush();
    }
}
