package dev.synack.trace;

import static dev.synack.trace.HandBuiltTrace.CLIENT;
import static dev.synack.trace.HandBuiltTrace.CLIENT_CONN;
import static dev.synack.trace.HandBuiltTrace.CLIENT_ISN;
import static dev.synack.trace.HandBuiltTrace.MS;
import static dev.synack.trace.HandBuiltTrace.SERVER;
import static dev.synack.trace.HandBuiltTrace.SERVER_CONN;
import static dev.synack.trace.HandBuiltTrace.SERVER_ISN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class LadderRendererTest {
    /** One diagram row cut into its columns, found from the dashes under the column heads. */
    record Cells(String time, String left, String middle, String right) {}

    static List<Cells> parse(String ladder) {
        List<String> lines = ladder.lines().toList();
        int underline = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("-+ +-+ +-+")) {
                underline = i;
                break;
            }
        }
        assertThat(underline).as("column underline in\n%s", ladder).isPositive();
        String u = lines.get(underline);
        int timeEnd = u.indexOf(' ');
        int leftStart = u.indexOf('-', timeEnd);
        int leftEnd = u.indexOf(' ', leftStart);
        int rightStart = u.lastIndexOf(' ') + 1;
        List<Cells> rows = new ArrayList<>();
        for (String line : lines.subList(underline + 1, lines.size())) {
            if (line.isBlank()) {
                break;
            }
            String padded = line + " ".repeat(Math.max(0, rightStart + 20 - line.length()));
            rows.add(new Cells(padded.substring(0, timeEnd).trim(), padded.substring(leftStart, leftEnd).trim(),
                    padded.substring(leftEnd + 2, rightStart - 2), padded.substring(rightStart).trim()));
        }
        return rows;
    }

    static List<String> columnStates(List<Cells> rows, Function<Cells, String> column) {
        List<String> states = new ArrayList<>();
        for (Cells c : rows) {
            String s = column.apply(c);
            if (!s.isEmpty() && (states.isEmpty() || !states.getLast().equals(s))) {
                states.add(s);
            }
        }
        return states;
    }

    static Cells row(List<Cells> rows, Predicate<Cells> which) {
        return rows.stream().filter(which).findFirst()
                .orElseThrow(() -> new AssertionError("no such row in " + rows));
    }

    private final String ladder = LadderRenderer.render(HandBuiltTrace.handshakeAndClose(), CLIENT, SERVER);
    private final List<Cells> rows = parse(ladder);

    @Test
    void headerNamesBothHostsLeftThenRightAndExplainsNumbering() {
        assertThat(ladder).startsWith("Ladder: client 10.0.0.1 (left) <-> server 10.0.0.2 (right)\n");
        assertThat(ladder).contains("relative to the ISNs").contains("virtual seconds");
        String heads = ladder.lines().filter(l -> l.contains("time (s)")).findFirst().orElseThrow();
        assertThat(heads.indexOf("client")).isPositive().isLessThan(heads.indexOf("server"));
    }

    @Test
    void eachColumnShowsItsHostsStatesInTextbookOrder() {
        assertThat(columnStates(rows, Cells::left)).containsExactly("CLOSED", "SYN_SENT", "ESTABLISHED",
                "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSED");
        assertThat(columnStates(rows, Cells::right)).containsExactly("CLOSED", "LISTEN", "SYN_RECV", "ESTABLISHED",
                "CLOSE_WAIT", "LAST_ACK", "CLOSED");
    }

    @Test
    void synIsARightwardArrowWithRawIsnAndWrappedOptions() {
        int i = indexOf(c -> c.middle().contains("S seq " + CLIENT_ISN + " len 0 win 64240"));
        Cells syn = rows.get(i);
        assertThat(syn.time()).isEqualTo("0.000000");
        assertThat(syn.middle()).startsWith("-- S ").endsWith("->");
        assertThat(syn.left()).isEqualTo("SYN_SENT");
        assertThat(syn.right()).isEqualTo("LISTEN");
        Cells options = rows.get(i + 1);
        assertThat(options.time()).isEmpty();
        assertThat(options.middle().trim()).isEqualTo("<" + HandBuiltTrace.SYN_OPTIONS + ">");
    }

    @Test
    void synAckIsALeftwardArrowWithRawIsnAndRelativeAck() {
        Cells synAck = row(rows, c -> c.middle().contains("S. seq " + SERVER_ISN + " ack 1 len 0 win 65160"));
        assertThat(synAck.middle()).startsWith("<-").endsWith(" --");
        assertThat(synAck.time()).isEqualTo("0.010000");
        assertThat(synAck.right()).isEqualTo("SYN_RECV");
    }

    @Test
    void laterSegmentsUseRelativeNumbersAndInlineOptions() {
        Cells ack = row(rows, c -> c.middle().startsWith("-- . seq 1 ack 1 len 0 win 502"));
        assertThat(ack.middle()).contains("<nop,nop,TS val 20 ecr 10>").endsWith("->");
        Cells reply = row(rows, c -> c.middle().contains("P. seq 1 ack 6 len 5 win 510"));
        assertThat(reply.middle()).startsWith("<-");
        Cells fin = row(rows, c -> c.middle().contains("F. seq 6 ack 6 len 0"));
        assertThat(fin.middle()).startsWith("--").endsWith("->");
        assertThat(fin.left()).isEqualTo("FIN_WAIT1");
        assertThat(ladder).doesNotContain("seq " + (CLIENT_ISN + 1));
    }

    @Test
    void arrivalsPointIntoTheReceiversColumnAtArrivalTime() {
        Cells synArrives = row(rows, c -> c.middle().contains("recv S seq " + CLIENT_ISN));
        assertThat(synArrives.time()).isEqualTo("0.010000");
        assertThat(synArrives.middle()).endsWith("recv S seq " + CLIENT_ISN + " -->");
        Cells synAckArrives = row(rows, c -> c.middle().contains("recv S. seq " + SERVER_ISN));
        assertThat(synAckArrives.time()).isEqualTo("0.020000");
        assertThat(synAckArrives.middle()).startsWith("<-- recv S. seq " + SERVER_ISN + " ack 1");
    }

    @Test
    void annotationsSitBesideTheirOwnersColumn() {
        Cells clientState = row(rows, c -> c.middle().contains("state SYN_SENT -> ESTABLISHED (SYN-ACK)"));
        Cells serverState = row(rows, c -> c.middle().contains("state SYN_RECV -> ESTABLISHED (ACK)"));
        assertThat(clientState.middle()).startsWith(" state");
        assertThat(serverState.middle()).endsWith("state SYN_RECV -> ESTABLISHED (ACK) ").startsWith("   ");
        assertThat(serverState.right()).isEqualTo("ESTABLISHED");
        Cells listen = row(rows, c -> c.middle().contains("CLOSED -> LISTEN"));
        assertThat(listen.middle()).endsWith("listener 10.0.0.2:80: state CLOSED -> LISTEN (listen) ");
        assertThat(row(rows, c -> c.middle().contains("call listen 80")).middle())
                .endsWith("listener 10.0.0.2:80: call listen 80 => ok ");
        Cells call = row(rows, c -> c.middle().contains("call close => ok") && c.time().equals("0.050000"));
        assertThat(call.middle()).endsWith("call close => ok ").startsWith("   ");
        Cells timer = row(rows, c -> c.middle().contains("timer time-wait expired"));
        assertThat(timer.time()).isEqualTo("60.060000");
        assertThat(timer.middle()).startsWith(" timer time-wait expired");
    }

    @Test
    void longSilenceIsShownAndTimeWaitEndsTwoMslLater() {
        int gap = indexOf(c -> c.middle().contains("59.990000 s pass"));
        assertThat(rows.get(gap - 1).time()).isEqualTo("0.070000");
        assertThat(rows.get(gap).left()).isEqualTo("TIME_WAIT");
        Cells closed = row(rows, c -> c.middle().contains("state TIME_WAIT -> CLOSED"));
        assertThat(closed.middle()).contains("(2MSL timer, after 60 s in TIME_WAIT)");
        assertThat(closed.time()).isEqualTo("60.060000");
        assertThat(ladder).containsOnlyOnce(" s in ");
        assertThat(closed.left()).isEqualTo("CLOSED");
    }

    @Test
    void fitsA120ColumnTerminal() {
        assertThat(ladder.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(120));
        assertThat(ladder.lines().mapToInt(String::length).max().orElseThrow()).isGreaterThan(90);
    }

    @Test
    void lostSegmentStopsShortWithItsReasonAndNeverArrives() {
        long c = CLIENT_ISN;
        long s = SERVER_ISN;
        List<TraceEvent> events = new HandBuiltTrace()
                .at(60 * MS).state(CLIENT, CLIENT_CONN, "FIN_WAIT2", "TIME_WAIT", "FIN")
                .send(CLIENT, ".", c + 7, s + 7, 0, 502, "nop,nop,TS val 60 ecr 50")
                .drop(CLIENT, CLIENT, ".", c + 7, s + 7, 0, 502, "nop,nop,TS val 60 ecr 50", "scripted loss")
                .at(260 * MS).timer(SERVER, SERVER_CONN, "retransmit")
                .segment(SERVER, "F.", s + 6, c + 7, 0, 510, "nop,nop,TS val 260 ecr 40", 10 * MS)
                .events();
        List<Cells> lost = parse(LadderRenderer.render(events, CLIENT, SERVER));
        int at = -1;
        for (int i = 0; i < lost.size() && at < 0; i++) {
            at = lost.get(i).middle().startsWith("-- . seq ") ? i : -1;
        }
        Cells arrow = lost.get(at);
        // No SYN in this trace: no ISN is known, so the numbers stay raw.
        assertThat(arrow.middle()).startsWith("-- . seq " + (c + 7) + " ack " + (s + 7) + " len 0 win 502 ---")
                .contains("-x  dropped: scripted loss");
        assertThat(lost.get(at + 1).middle().trim()).isEqualTo("<nop,nop,TS val 60 ecr 50>");
        assertThat(arrow.middle().stripTrailing()).doesNotEndWith(">");
        assertThat(lost).noneMatch(x -> x.middle().contains("recv . "));
        assertThat(lost).filteredOn(x -> x.middle().contains("scripted loss")).hasSize(1);
        assertThat(row(lost, x -> x.middle().contains("timer retransmit")).time()).isEqualTo("0.260000");
    }

    @Test
    void relativeNumbersWrapAround32Bits() {
        long isn = 4_294_967_290L;
        long mask = 0xffff_ffffL;
        List<TraceEvent> events = new HandBuiltTrace()
                .at(0).segment(CLIENT, "S", isn, 0, 0, 64240, "", 10 * MS)
                .at(10 * MS).segment(SERVER, "S.", 77, (isn + 1) & mask, 0, 65160, "", 10 * MS)
                .at(20 * MS).segment(CLIENT, "P.", (isn + 11) & mask, 78, 20, 502, "", 10 * MS)
                .at(30 * MS).segment(SERVER, ".", 78, (isn + 31) & mask, 0, 510, "", 10 * MS)
                .events();
        List<Cells> cells = parse(LadderRenderer.render(events, CLIENT, SERVER));
        assertThat(row(cells, x -> x.middle().startsWith("-- P.")).middle()).contains("P. seq 11 ack 1 len 20");
        assertThat(row(cells, x -> x.middle().startsWith("<-") && x.middle().contains(" . seq")).middle())
                .contains(". seq 1 ack 31 len 0");
        assertThat(row(cells, x -> x.middle().contains("S. seq 77")).middle()).contains("ack 1 len 0");
    }

    @Test
    void dropReportedByTheReceiverIsMarkedAtItsColumn() {
        List<TraceEvent> events = new HandBuiltTrace().at(5 * MS)
                .send(CLIENT, "P.", 100, 200, 10, 502, "")
                .at(15 * MS).drop(SERVER, CLIENT, "P.", 100, 200, 10, 502, "", "bad checksum")
                .events();
        List<Cells> cells = parse(LadderRenderer.render(events, CLIENT, SERVER));
        Cells sent = row(cells, x -> x.middle().startsWith("-- P."));
        assertThat(sent.middle()).contains("dropped: bad checksum");
        Cells marker = row(cells, x -> x.time().equals("0.015000"));
        assertThat(marker.middle()).endsWith("bad checksum --x");
    }

    @Test
    void otherHostsAreLeftOutAndCounted() {
        List<TraceEvent> events = new ArrayList<>(HandBuiltTrace.handshakeAndClose());
        events.add(new TraceEvent.Timer(0, "router", "x", "y"));
        String out = LadderRenderer.render(events, CLIENT, SERVER);
        assertThat(out).doesNotContain("router").contains("1 event(s) of other hosts not shown.");
    }

    @Test
    void swappingSidesMirrorsTheArrows() {
        List<Cells> mirrored = parse(LadderRenderer.render(HandBuiltTrace.handshakeAndClose(), SERVER, CLIENT));
        assertThat(row(mirrored, x -> x.middle().contains("S seq " + CLIENT_ISN + " len 0")).middle())
                .startsWith("<-");
        assertThat(columnStates(mirrored, Cells::left)).startsWith("CLOSED", "LISTEN", "SYN_RECV");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new LadderRenderer("a", "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two different host names");
        assertThatThrownBy(() -> new LadderRenderer("a", "b", 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least");
    }

    @Test
    void emptyTraceGivesJustTheHeads() {
        List<Cells> none = parse(LadderRenderer.render(List.of(), CLIENT, SERVER));
        assertThat(none).isEmpty();
    }

    @Test
    void wrapBreaksAtCommasAndSpaces() {
        assertThat(LadderRenderer.wrap("mss 1460,sackOK,TS val 1 ecr 0", 12))
                .containsExactly("mss 1460,", "sackOK,TS", "val 1 ecr 0");
        assertThat(LadderRenderer.wrap("abcdefghij", 4)).containsExactly("abcd", "efgh", "ij");
    }

    private int indexOf(Predicate<Cells> which) {
        for (int i = 0; i < rows.size(); i++) {
            if (which.test(rows.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such row in\n" + ladder);
    }
}
