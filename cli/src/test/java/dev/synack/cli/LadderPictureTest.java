package dev.synack.cli;

import static dev.synack.trace.SvgDom.elements;
import static dev.synack.trace.SvgDom.parse;
import static dev.synack.trace.SvgDom.texts;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;

/** {@code demo --format svg|html} and the {@code serve --http} page's pictures, read back as XML. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LadderPictureTest {
    @Test
    void lossyDemoAsSvgHasAnArrowPerSegmentAndAnXPerDrop() {
        DemoRunner.Result svg = DemoRunner.run("demo", "lossy", "--format", "svg", "--seed", "1");
        DemoRunner.Result jsonl = DemoRunner.run("demo", "lossy", "--format", "jsonl", "--seed", "1");
        assertThat(svg.exitCode()).as(svg.toString()).isZero();
        List<Map<String, Object>> events = jsonl.events();
        List<Map<String, Object>> drops = DemoRunner.where(events, "kind", "drop");
        long lost = drops.stream().filter(d -> "lost (random)".equals(d.get("reason"))).count();
        assertThat(lost).as("the seed must lose segments for this test to mean anything").isPositive();

        Document doc = parse(svg.out());
        int arrows = elements(doc, "line", "seg").size() - elements(doc, "line", "seg", "unsent").size();
        assertThat(arrows).isEqualTo(DemoRunner.where(events, "kind", "send").size());
        assertThat(elements(doc, "line", "seg", "lost")).hasSize((int) lost);
        assertThat(elements(doc, "path", "drop-mark")).hasSize(drops.size());
        assertThat(texts(doc, "drop-reason")).contains("dropped: lost (random)");
        assertThat(texts(doc, "host")).containsExactly("client 10.0.0.1", "server 10.0.0.2");
        assertThat(texts(doc, "state-name")).contains("SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
                "TIME_WAIT", "CLOSED");
        // The same seed draws the same picture.
        assertThat(DemoRunner.run("demo", "lossy", "--format", "svg", "--seed", "1").out()).isEqualTo(svg.out());
    }

    @Test
    void demoAsHtmlIsAPageWithTheHeaderTheLegendAndTheSvg() {
        DemoRunner.Result html = DemoRunner.run("demo", "--format", "html");
        assertThat(html.exitCode()).as(html.toString()).isZero();
        Document doc = parse(html.out());
        assertThat(doc.getElementsByTagName("h1").item(0).getTextContent()).isEqualTo("synack demo lifecycle");
        assertThat(doc.getElementsByTagName("pre").item(0).getTextContent()).contains("seed 1").contains("Look for:");
        assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(1);
        assertThat(texts(doc, "state-name")).contains("ESTABLISHED", "TIME_WAIT");
    }

    @Test
    void unknownFormatNamesAllFour() {
        assertThat(DemoRunner.run("demo", "--format", "png").err()).contains("choose text, jsonl, svg or html");
    }

    @Test
    void httpPageAsSvgAndHtmlDrawsTheVisitorsConnection() throws Exception {
        assertThat(httpGet("/?format=svg")).startsWith("HTTP/1.1 200 OK\r\nContent-Type: image/svg+xml; charset=utf-8\r\n");
        Document svg = parse(body(httpGet("/?format=svg")));
        assertThat(texts(svg, "host").getFirst()).startsWith("peer ");
        assertThat(texts(svg, "state-name")).contains("SYN_RECV", "ESTABLISHED");
        assertThat(elements(svg, "line", "seg")).isNotEmpty();

        String html = httpGet("/x?a=b&format=html");
        assertThat(html).contains("Content-Type: text/html; charset=utf-8\r\n");
        Document page = parse(body(html));
        assertThat(page.getElementsByTagName("h1").item(0).getTextContent())
                .isEqualTo("synack: GET /x?a=b&format=html HTTP/1.0");
        assertThat(page.getElementsByTagName("pre").item(0).getTextContent()).contains("synack answered");

        String text = httpGet("/?format=gif");
        assertThat(text).contains("Content-Type: text/plain; charset=utf-8\r\n")
                .contains("Unknown format 'gif': choose text, svg or html").contains("ESTABLISHED");
    }

    /** One request to {@code serve --http} over a UDP link, as {@code connect} sends it. */
    private static String httpGet(String target) throws Exception {
        int udp = NetCommandsTest.freeUdpPort();
        CompletableFuture<DemoRunner.Result> server = NetCommandsTest.serve("--udp", Integer.toString(udp), "--http",
                "--port", "8080", "--max-connections", "1");
        NetCommandsTest.Connected c = NetCommandsTest.connect("GET " + target + " HTTP/1.0\r\nHost: synack\r\n\r\n",
                "--udp", "127.0.0.1:" + udp, "10.9.0.2", "8080");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(server.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        return c.out();
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}
