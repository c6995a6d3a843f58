package dev.synack.cli;

import dev.synack.trace.SvgLadderRenderer;
import dev.synack.trace.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The form of {@code serve --http}'s page, chosen by the request's {@code format} query parameter:
 * text (the default: the text ladder, for curl), {@code ?format=svg} (the ladder as an SVG picture)
 * or {@code ?format=html} (a page with a legend embedding the picture). An unknown format gets the
 * text page, opened by a line saying which formats there are.
 */
final class HttpLadderPage {
    /** The column name of the remote host in the page's ladder. */
    static final String PEER = "peer";

    private enum Format { TEXT, SVG, HTML }

    private final Format format;
    private final String unknown;

    private HttpLadderPage(Format format, String unknown) {
        this.format = format;
        this.unknown = unknown;
    }

    /** The page a request line ("GET /?format=svg HTTP/1.1") asks for. */
    static HttpLadderPage of(String requestLine) {
        String[] parts = requestLine.split(" ");
        String target = parts.length > 1 ? parts[1] : "/";
        int query = target.indexOf('?');
        if (query >= 0) {
            for (String param : target.substring(query + 1).split("&")) {
                if (param.startsWith("format=")) {
                    String value = param.substring("format=".length());
                    for (Format f : Format.values()) {
                        if (f.name().equalsIgnoreCase(value)) {
                            return new HttpLadderPage(f, null);
                        }
                    }
                    return new HttpLadderPage(Format.TEXT, value);
                }
            }
        }
        return new HttpLadderPage(Format.TEXT, null);
    }

    String contentType() {
        return switch (format) {
            case TEXT -> "text/plain; charset=utf-8";
            case SVG -> "image/svg+xml; charset=utf-8";
            case HTML -> "text/html; charset=utf-8";
        };
    }

    /**
     * The page's bytes: {@code text} as it is for the text form; the ladder of {@code events}
     * (columns {@link #PEER} and {@code local}) drawn for the others, the HTML one titled with the
     * request and described by {@code text}'s first paragraph.
     */
    byte[] body(String text, String requestLine, String local, List<TraceEvent> events) {
        SvgLadderRenderer picture = new SvgLadderRenderer(PEER, local);
        String page = switch (format) {
            case TEXT -> unknown == null ? text
                    : "Unknown format '" + unknown + "': choose text, svg or html (?format=html).\n\n" + text;
            case SVG -> picture.svg(events);
            case HTML -> picture.html(events, "synack: " + requestLine, firstParagraph(text));
        };
        return page.getBytes(StandardCharsets.UTF_8);
    }

    private static String firstParagraph(String text) {
        int end = text.indexOf("\n\n");
        return (end < 0 ? text : text.substring(0, end)).strip();
    }

    /** The local host's name in a connection's trace (the host of its events that is not the peer). */
    static String localHost(List<TraceEvent> events, String fallback) {
        for (TraceEvent e : events.reversed()) {
            if (!e.host().equals(PEER)) {
                return e.host();
            }
        }
        return fallback;
    }

    @Override
    public String toString() {
        return format.name().toLowerCase(Locale.ROOT);
    }
}
