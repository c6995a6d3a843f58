package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --format html} opened in a real browser: headless Chromium (Debian's {@code chromium},
 * installed by .ci/run) takes a screenshot and dumps the DOM after rendering. Skipped, with the
 * reason, where Chromium is not installed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LadderInBrowserTest {
    /** Chromium's sandbox cannot start as root in a container; the page is our own file. */
    private static final List<String> HEADLESS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--window-size=1200,2000");
    private static final long BROWSER_SECONDS = 90;
    /** ESTABLISHED's shading and a drop's red, as SvgLadderRenderer paints them. */
    private static final int ESTABLISHED_FILL = 0xd3f9d8;
    private static final int DROP_RED = 0xe03131;

    @Test
    void lossyDemoRendersInChromiumWithItsLabels(@TempDir Path dir) throws Exception {
        String chromium = chromium();
        assumeTrue(chromium != null, "chromium is not installed (apt-get install chromium; .ci/run does it)");
        DemoRunner.Result demo = DemoRunner.run("demo", "lossy", "--format", "html", "--seed", "1");
        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        Path page = dir.resolve("ladder.html");
        Files.writeString(page, demo.out());

        Path png = dir.resolve("ladder.png");
        browse(chromium, dir, "--screenshot=" + png, page);
        assertThat(png).exists();
        assertThat(Files.size(png)).isPositive();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG image").isNotNull();
        assertThat(image.getWidth()).isEqualTo(1200);
        Set<Integer> colours = colours(image);
        assertThat(colours.size()).as("distinct colours").isGreaterThan(1);
        // The shading and the drop marks were painted, not just a blank or an error page.
        assertThat(colours).contains(ESTABLISHED_FILL, DROP_RED);

        String dom = browse(chromium, dir, "--dump-dom", page);
        assertThat(dom).contains("<svg").contains("synack demo lossy").contains("client 10.0.0.1")
                .contains("server 10.0.0.2").contains("ESTABLISHED").contains("TIME_WAIT")
                .contains("dropped: lost (random)").contains("S seq ").contains("time (s)");
    }

    /** Runs Chromium on {@code page} with {@code action}, and returns what it printed on stdout. */
    private static String browse(String chromium, Path dir, String action, Path page) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium));
        command.addAll(HEADLESS);
        // A profile of its own, so runs never share (or leave) state in the user's home.
        command.add("--user-data-dir=" + dir.resolve("profile"));
        command.add(action);
        command.add(page.toUri().toString());
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            boolean done = p.waitFor(BROWSER_SECONDS, TimeUnit.SECONDS);
            assertThat(done).as("chromium finished within %d s; stderr:%n%s", BROWSER_SECONDS, Files.readString(err))
                    .isTrue();
            assertThat(p.exitValue()).as("chromium's exit status; stderr:%n%s", Files.readString(err)).isZero();
        } finally {
            p.destroyForcibly();
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                seen.add(image.getRGB(x, y) & 0xffffff);
            }
        }
        return seen;
    }

    /** The Chromium on the PATH (Debian names it chromium, others chromium-browser), or null. */
    private static String chromium() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(d, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }
}
