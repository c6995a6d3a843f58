package dev.synack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonLinesRendererTest {
    private static Map<String, Object> one(TraceEvent e) {
        String out = JsonLinesRenderer.render(List.of(e));
        assertThat(out).endsWith("\n").doesNotContain("\r");
        assertThat(out.lines()).hasSize(1);
        return FlatJson.parse(out.stripTrailing());
    }

    @Test
    void oneLinePerEventAndEveryLineParses() {
        List<TraceEvent> events = HandBuiltTrace.handshakeAndClose();
        String out = JsonLinesRenderer.render(events);
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(events.size());
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> o = FlatJson.parse(lines.get(i));
            assertThat(o.get("kind")).isEqualTo(events.get(i).kind());
            assertThat(o.get("host")).isEqualTo(events.get(i).host());
        }
    }

    @Test
    void stateEventKeys() {
        Map<String, Object> o = one(new TraceEvent.StateChange(10_000_000L, "client", "a<->b", "SYN_SENT",
                "ESTABLISHED", "SYN-ACK"));
        assertThat(o.keySet()).containsExactly("t", "host", "kind", "conn", "from", "to", "cause");
        assertThat(o).containsEntry("t", new BigDecimal("0.01")).containsEntry("kind", "state")
                .containsEntry("conn", "a<->b").containsEntry("from", "SYN_SENT").containsEntry("to", "ESTABLISHED")
                .containsEntry("cause", "SYN-ACK");
    }

    @Test
    void sendAndRecvKeysWithRawUnsignedNumbers() {
        for (TraceEvent.Direction d : List.of(TraceEvent.Direction.SEND, TraceEvent.Direction.RECV)) {
            Map<String, Object> o = one(new TraceEvent.Packet(20_000_000L, "client", d, "10.0.0.1:40000",
                    "10.0.0.2:80", "S.", 4_000_000_000L, 4_294_967_295L, 0, 65535,
                    "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7", null));
            assertThat(o.keySet()).containsExactly("t", "host", "kind", "src", "dst", "flags", "seq", "ack", "len",
                    "win", "options");
            assertThat(o).containsEntry("kind", d == TraceEvent.Direction.SEND ? "send" : "recv")
                    .containsEntry("src", "10.0.0.1:40000").containsEntry("dst", "10.0.0.2:80")
                    .containsEntry("flags", "S.").containsEntry("seq", new BigDecimal("4000000000"))
                    .containsEntry("ack", new BigDecimal("4294967295")).containsEntry("len", BigDecimal.ZERO)
                    .containsEntry("win", new BigDecimal("65535"))
                    .containsEntry("options", "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7");
        }
    }

    @Test
    void seqGivenAsSignedIntIsPrintedUnsigned() {
        Map<String, Object> o = one(new TraceEvent.Packet(0, "h", TraceEvent.Direction.SEND, "a:1", "b:2", ".",
                -1, Integer.MIN_VALUE, 0, 0, "", null));
        assertThat(o).containsEntry("seq", new BigDecimal("4294967295"))
                .containsEntry("ack", new BigDecimal("2147483648")).containsEntry("options", "");
    }

    @Test
    void dropCarriesReason() {
        Map<String, Object> o = one(new TraceEvent.Packet(0, "client", TraceEvent.Direction.DROP, "a:1", "b:2", ".",
                7, 9, 0, 502, "", "scripted loss"));
        assertThat(o.keySet()).endsWith("options", "reason");
        assertThat(o).containsEntry("kind", "drop").containsEntry("reason", "scripted loss");
    }

    @Test
    void callAndTimerKeys() {
        Map<String, Object> call = one(new TraceEvent.Call(5, "server", "x<->y", "write 5", "5"));
        assertThat(call.keySet()).containsExactly("t", "host", "kind", "conn", "call", "result");
        assertThat(call).containsEntry("kind", "call").containsEntry("call", "write 5").containsEntry("result", "5");
        Map<String, Object> timer = one(new TraceEvent.Timer(5, "server", "x<->y", "retransmit"));
        assertThat(timer.keySet()).containsExactly("t", "host", "kind", "conn", "timer");
        assertThat(timer).containsEntry("kind", "timer").containsEntry("timer", "retransmit");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 0.000000001", "1000, 0.000001", "10000000, 0.01", "60060000000, 60.06",
            "120000000000, 120", "1500000, 0.0015", "-1500000000, -1.5"})
    void timeIsPlainDecimalSeconds(long nanos, String expected) {
        assertThat(JsonLinesRenderer.seconds(nanos)).isEqualTo(expected);
        Map<String, Object> o = one(new TraceEvent.Timer(nanos, "h", "c", "t"));
        assertThat((BigDecimal) o.get("t")).isEqualByComparingTo(new BigDecimal(nanos).movePointLeft(9));
    }

    @Test
    void stringsAreEscapedAndRoundTrip() {
        String nasty = "say \"hi\"\\ back\n\ttab \u0001 bell\u007f é \ud83d\ude00 lone\ud800 end";
        Map<String, Object> o = one(new TraceEvent.Call(0, "h\"ost", "c", nasty, "Connection reset"));
        assertThat(o).containsEntry("host", "h\"ost").containsEntry("call", nasty);
        String raw = JsonLinesRenderer.line(new TraceEvent.Call(0, "h", "c", nasty, "r"));
        assertThat(raw).doesNotContain("\n").contains("\\u0001").contains("\\ud800").contains("\ud83d\ude00");
    }

    @Test
    void nullStringsAreJsonNull() {
        Map<String, Object> o = one(new TraceEvent.StateChange(0, "h", null, "CLOSED", "LISTEN", null));
        assertThat(o).containsEntry("conn", null).containsEntry("cause", null);
    }

    @Test
    void streamingListenerWritesTheSameLines() {
        List<TraceEvent> events = HandBuiltTrace.handshakeAndClose();
        StringBuilder out = new StringBuilder();
        TraceListener listener = JsonLinesRenderer.streaming(out);
        events.forEach(listener::onEvent);
        assertThat(out.toString()).isEqualTo(JsonLinesRenderer.render(events));
    }
}
