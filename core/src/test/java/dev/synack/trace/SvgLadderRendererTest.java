package dev.synack.trace;

import static dev.synack.trace.HandBuiltTrace.CLIENT;
import static dev.synack.trace.HandBuiltTrace.CLIENT_CONN;
import static dev.synack.trace.HandBuiltTrace.CLIENT_ISN;
import static dev.synack.trace.HandBuiltTrace.MS;
import static dev.synack.trace.HandBuiltTrace.SERVER;
import static dev.synack.trace.HandBuiltTrace.SERVER_CONN;
import static dev.synack.trace.HandBuiltTrace.SERVER_ISN;
import static dev.synack.trace.SvgDom.elements;
import static dev.synack.trace.SvgDom.parse;
import static dev.synack.trace.SvgDom.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class SvgLadderRendererTest {
    /** The left column's band starts here and the right one's lifeline is here (the renderer's layout). */
    private static final String LEFT_BAND_X = "100";
    private static final int LEFT_X = 210;
    private static final int RIGHT_X = 880;

    private static int attr(Element e, String name) {
        return Integer.parseInt(e.getAttribute(name));
    }

    private final List<TraceEvent> lifecycle = HandBuiltTrace.handshakeAndClose();
    private final Document svg = parse(new SvgLadderRenderer(CLIENT, SERVER).svg(lifecycle));

    @Test
    void oneArrowPerSegmentFromSenderToReceiverSlopedByItsFlightTime() {
        long sends = lifecycle.stream().filter(e -> e.kind().equals("send")).count();
        List<Element> arrows = elements(svg, "line", "seg");
        assertThat(arrows).hasSize((int) sends).allSatisfy(a -> {
            assertThat(a.getAttribute("class")).isEqualTo("seg arrived");
            assertThat(a.getAttribute("marker-end")).isEqualTo("url(#head)");
            // 10 ms of flight at 2 px per ms, on top of the rows in between.
            assertThat(attr(a, "y2") - attr(a, "y1")).isGreaterThanOrEqualTo(20);
        });
        Element syn = arrows.getFirst();
        assertThat(List.of(attr(syn, "x1"), attr(syn, "x2"))).containsExactly(LEFT_X, RIGHT_X);
        Element synAck = arrows.get(1);
        assertThat(List.of(attr(synAck, "x1"), attr(synAck, "x2"))).containsExactly(RIGHT_X, LEFT_X);
        assertThat(attr(synAck, "y1")).isGreaterThan(attr(syn, "y2"));
    }

    @Test
    void segmentsAreLabelledAsTheTextLadderLabelsThem() {
        assertThat(texts(svg, "halo")).contains("S seq " + CLIENT_ISN + " len 0 win 64240",
                "S. seq " + SERVER_ISN + " ack 1 len 0 win 65160", "P. seq 1 ack 1 len 5 win 502",
                "F. seq 6 ack 6 len 0 win 502");
        // The options are in the arrow's tooltip.
        assertThat(elements(svg, "line", "seg").getFirst().getParentNode().getFirstChild().getTextContent())
                .contains("<" + HandBuiltTrace.SYN_OPTIONS + ">").contains("arrives at 0.010000 s");
    }

    @Test
    void eachColumnIsShadedByItsStatesInOrderWithTheirNames() {
        List<String> leftStates = new ArrayList<>();
        List<String> rightStates = new ArrayList<>();
        for (Element rect : elements(svg, "rect", "state")) {
            String state = rect.getParentNode().getFirstChild().getTextContent();
            (rect.getAttribute("x").equals(LEFT_BAND_X) ? leftStates : rightStates).add(state);
            assertThat(rect.getAttribute("fill")).startsWith("#");
        }
        assertThat(leftStates).containsExactly("CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2",
                "TIME_WAIT", "CLOSED");
        assertThat(rightStates).containsExactly("CLOSED", "LISTEN", "SYN_RECV", "ESTABLISHED", "CLOSE_WAIT",
                "LAST_ACK", "CLOSED");
        assertThat(texts(svg, "state-name")).contains("SYN_SENT", "ESTABLISHED", "TIME_WAIT", "LAST_ACK");
    }

    @Test
    void hostsNamedNotesWrittenAndTheLongSilenceShownAsABreak() {
        assertThat(texts(svg, "host")).containsExactly("client 10.0.0.1", "server 10.0.0.2");
        assertThat(texts(svg, "note", "state")).contains("state SYN_SENT -> ESTABLISHED (SYN-ACK)",
                "listener 10.0.0.2:80: state CLOSED -> LISTEN (listen)");
        assertThat(texts(svg, "note", "call")).contains("call write 5 => 5");
        assertThat(texts(svg, "note", "timer")).containsExactly("timer time-wait expired");
        assertThat(texts(svg, "gap")).containsExactly("... 59.990000 s pass ...");
        assertThat(texts(svg, "time")).contains("time (s)", "0.000000", "0.010000", "60.060000");
    }

    @Test
    void lostSegmentEndsInAnXHalfwayWithItsReason() {
        long c = CLIENT_ISN;
        long s = SERVER_ISN;
        List<TraceEvent> events = new HandBuiltTrace()
                .at(60 * MS).state(CLIENT, CLIENT_CONN, "FIN_WAIT2", "TIME_WAIT", "FIN")
                .send(CLIENT, ".", c + 7, s + 7, 0, 502, "nop,nop,TS val 60 ecr 50")
                .drop(CLIENT, CLIENT, ".", c + 7, s + 7, 0, 502, "nop,nop,TS val 60 ecr 50", "lost (random)")
                .at(260 * MS).segment(SERVER, "F.", s + 6, c + 7, 0, 510, "", 10 * MS)
                .events();
        Document doc = parse(new SvgLadderRenderer(CLIENT, SERVER).svg(events));
        Element lost = elements(doc, "line", "seg", "lost").getFirst();
        assertThat(attr(lost, "x2")).isEqualTo((LEFT_X + RIGHT_X) / 2);
        assertThat(lost.hasAttribute("marker-end")).isFalse();
        assertThat(elements(doc, "line", "seg")).hasSize(2);
        assertThat(elements(doc, "path", "drop-mark")).hasSize(1);
        assertThat(texts(doc, "drop-reason")).containsExactly("dropped: lost (random)");
    }

    @Test
    void segmentDiscardedByTheReceiverEndsInAnXAtItsColumn() {
        List<TraceEvent> events = new HandBuiltTrace().at(5 * MS)
                .send(CLIENT, "P.", 100, 200, 10, 502, "")
                .at(15 * MS).drop(SERVER, CLIENT, "P.", 100, 200, 10, 502, "", "bad checksum")
                .at(20 * MS).drop(SERVER, CLIENT, "P.", 110, 200, 10, 502, "", "no send traced")
                .events();
        Document doc = parse(new SvgLadderRenderer(CLIENT, SERVER).svg(events));
        Element discarded = elements(doc, "line", "seg", "discarded").getFirst();
        assertThat(attr(discarded, "x2")).isEqualTo(RIGHT_X);
        assertThat(attr(discarded, "y2")).isGreaterThan(attr(discarded, "y1"));
        assertThat(elements(doc, "line", "seg", "unsent")).hasSize(1);
        assertThat(elements(doc, "path", "drop-mark")).hasSize(2);
        assertThat(texts(doc, "drop-reason")).containsExactly("dropped: bad checksum", "dropped: no send traced");
    }

    @Test
    void segmentWithoutATracedArrivalIsDrawnLevelAndDashed() {
        List<TraceEvent> events = new HandBuiltTrace().at(0).send(SERVER, "R", 5, 0, 0, 0, "").events();
        Element arrow = elements(parse(new SvgLadderRenderer(CLIENT, SERVER).svg(events)), "line", "seg").getFirst();
        assertThat(arrow.getAttribute("class")).isEqualTo("seg untraced");
        assertThat(attr(arrow, "y2")).isEqualTo(attr(arrow, "y1"));
        assertThat(attr(arrow, "x2")).isEqualTo(LEFT_X);
    }

    @Test
    void textIsEscapedSoAnyCallResultStaysWellFormed() {
        String nasty = "<b>\"fish\" & 'chips'</b>\u0001";
        List<TraceEvent> events = new HandBuiltTrace().at(0).call(CLIENT, SERVER_CONN, "write", nasty).events();
        String out = new SvgLadderRenderer(CLIENT, SERVER).svg(events);
        assertThat(out).doesNotContain("<b>");
        assertThat(texts(parse(out), "call")).containsExactly("call write => <b>\"fish\" & 'chips'</b>?");
    }

    @Test
    void sameTraceGivesTheSameDocument() {
        assertThat(new SvgLadderRenderer(CLIENT, SERVER).svg(HandBuiltTrace.handshakeAndClose()))
                .isEqualTo(new SvgLadderRenderer(CLIENT, SERVER).svg(lifecycle));
    }

    @Test
    void htmlPageHasTheTitleTheLegendAndTheDiagram() {
        String html = new SvgLadderRenderer(CLIENT, SERVER).html(lifecycle, "a <title>", "line 1\nline & 2");
        assertThat(html).startsWith("<!DOCTYPE html>");
        Document doc = parse(html);
        assertThat(doc.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("a <title>");
        assertThat(doc.getElementsByTagName("pre").item(0).getTextContent()).isEqualTo("line 1\nline & 2");
        assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength()).isEqualTo(1);
        String legend = ((Element) doc.getElementsByTagName("div").item(0)).getTextContent();
        assertThat(legend).contains("CLOSED", "SYN_SENT", "ESTABLISHED", "TIME_WAIT", "dropped");
    }

    @Test
    void otherHostsAreLeftOutAndCounted() {
        List<TraceEvent> events = new ArrayList<>(lifecycle);
        events.add(new TraceEvent.Timer(0, "router", "x", "y"));
        Document doc = parse(new SvgLadderRenderer(CLIENT, SERVER).svg(events));
        assertThat(texts(doc, "note")).contains("1 event(s) of other hosts not shown.");
        assertThat(texts(doc, "timer")).doesNotContain("timer y");
    }

    @Test
    void rejectsTheSameHostTwice() {
        assertThatThrownBy(() -> new SvgLadderRenderer(CLIENT, CLIENT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two different host names");
    }
}
