package dev.synack.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The documents' examples are checked against the code, so that they cannot drift from it. In
 * README.md, docs/*.md and the documentation comments of both modules' main sources, a code block
 * right after {@code <!-- example: PATH -->} (PATH from the repository's top) must equal that source file from its first import to its end (with
 * {@code PATH#NAME}: the lines between its "begin NAME" and "end NAME" comments, unindented), and
 * a block right after {@code <!-- output: ARGS -->} must be an excerpt of what {@code synack ARGS}
 * prints: its first line (the ladder's header) is one line of the output, and the lines after it
 * follow one another in the output, in the same order, exactly.
 */
class DocumentExamplesTest {
    /** The repository's top: the tests run in the cli module's directory. */
    private static final Path TOP = Path.of("..");
    /** A fenced block in Markdown; in a documentation comment (its "* " margins removed), a pre block. */
    private static final Pattern MARKED_BLOCK = Pattern.compile(
            "<!-- (example|output): (.+?) -->\\n(?:```[a-z]*\\n(.*?)```|<pre>(?:\\{@code)?\\n(.*?)\\n\\}?</pre>)",
            Pattern.DOTALL);
    private static final Pattern COMMENT_MARGIN = Pattern.compile("(?m)^\\s*\\* ?");

    record Marked(Path document, String kind, String argument, String block) {
        @Override
        public String toString() {
            return document + ": " + kind + " " + argument;
        }
    }

    static List<Marked> markedBlocks() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(TOP.resolve("docs"));
             Stream<Path> core = Files.walk(TOP.resolve("core/src/main/java"));
             Stream<Path> cli = Files.walk(TOP.resolve("cli/src/main/java"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(p -> documents.add(TOP.relativize(p)));
            Stream.concat(core, cli).filter(p -> p.toString().endsWith(".java")).sorted()
                    .forEach(p -> documents.add(TOP.relativize(p)));
        }
        List<Marked> marked = new ArrayList<>();
        for (Path document : documents) {
            String text = Files.readString(TOP.resolve(document));
            boolean javadoc = document.toString().endsWith(".java");
            if (javadoc) text = COMMENT_MARGIN.matcher(text).replaceAll("");
            Matcher m = MARKED_BLOCK.matcher(text);
            while (m.find()) {
                String block = m.group(3) != null ? m.group(3) : m.group(4) + "\n";
                if (javadoc && !m.group(0).contains("{@code")) block = unescapeHtml(block);
                marked.add(new Marked(document, m.group(1), m.group(2), block));
            }
        }
        return marked;
    }

    @Test
    void theReadmeShowsTheEchoExampleAndAnExcerptOfTheDemo() throws IOException {
        assertThat(markedBlocks().stream().filter(b -> b.document().equals(Path.of("README.md"))))
                .extracting(Marked::kind).contains("example", "output");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("markedBlocks")
    void aMarkedBlockMatchesTheCode(Marked marked) throws IOException {
        if (marked.kind().equals("example")) {
            assertThat(marked.block()).as("the block in %s must be %s", marked.document(), marked.argument())
                    .isEqualTo(example(marked.argument()));
        } else {
            assertIsExcerpt(marked.block(), synack(marked.argument().split(" ")), marked.toString());
        }
    }

    @Test
    void anExcerptWithALineTheProgramDoesNotPrintIsRejected() {
        String output = "header\na\nb\nc\n";
        assertIsExcerpt("header\nb\nc\n", output, "a true excerpt");
        assertThat(excerptMismatch("header\nb\nx\n", output)).contains("x");
        assertThat(excerptMismatch("header\na\nc\n", output)).contains("c");
        assertThat(excerptMismatch("header\nc\nb\n", output)).contains("b");
    }

    /** PATH: the file from its first import; PATH#NAME: its lines between "// begin NAME" and "// end NAME", unindented. */
    static String example(String reference) throws IOException {
        int hash = reference.indexOf('#');
        if (hash < 0) {
            String source = Files.readString(TOP.resolve(reference));
            return source.substring(source.indexOf("\nimport ") + 1);
        }
        List<String> lines = Files.readAllLines(TOP.resolve(reference.substring(0, hash)));
        String name = reference.substring(hash + 1);
        int begin = lines.indexOf(lines.stream().filter(l -> l.strip().equals("// begin " + name)).findFirst()
                .orElseThrow(() -> new AssertionError("no region " + reference)));
        List<String> region = lines.subList(begin + 1, lines.size());
        region = region.subList(0, region.indexOf(region.stream().filter(l -> l.strip().equals("// end " + name))
                .findFirst().orElseThrow(() -> new AssertionError("region " + reference + " has no end"))));
        int indent = region.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String l : region) text.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        return text.toString();
    }

    static String unescapeHtml(String text) {
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /** Runs the command line in this JVM and returns what it printed; it must succeed. */
    static String synack(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int status = commandLine.execute(args);
        assertThat(status).as("synack %s exited with %d: %s", String.join(" ", args), status, err).isZero();
        return out.toString();
    }

    static void assertIsExcerpt(String excerpt, String output, String what) {
        String mismatch = excerptMismatch(excerpt, output);
        assertThat(mismatch).as("%s is not an excerpt of the program's output:\n%s", what, output).isNull();
    }

    /**
     * Null when {@code excerpt} is its first line plus a run of consecutive lines of {@code output}
     * after it; otherwise the first excerpt line that breaks the run.
     */
    static String excerptMismatch(String excerpt, String output) {
        List<String> lines = excerpt.lines().toList();
        List<String> printed = output.lines().toList();
        int header = printed.indexOf(lines.get(0));
        if (header < 0) return "not printed: " + lines.get(0);
        List<String> after = printed.subList(header + 1, printed.size());
        List<String> run = lines.subList(1, lines.size());
        for (int i = 1; i <= run.size(); i++) {
            if (Collections.indexOfSubList(after, run.subList(0, i)) < 0) {
                return "not printed after the lines above it: " + run.get(i - 1);
            }
        }
        return null;
    }
}
