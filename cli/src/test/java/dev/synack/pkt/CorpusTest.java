package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every script of src/test/pkt (but pending/, scripts waiting for an engine fix) must pass. */
class CorpusTest {
    private static final Path CORPUS = Path.of("src/test/pkt");
    private static final Path PENDING = CORPUS.resolve("pending");

    private static List<Path> scripts() {
        return PktRunner.expand(List.of(CORPUS)).stream().filter(p -> !p.startsWith(PENDING)).toList();
    }

    @TestFactory
    Stream<DynamicTest> everyScriptPasses() {
        return scripts().stream().map(p -> DynamicTest.dynamicTest(CORPUS.relativize(p).toString(), () -> {
            Outcome o = PktRunner.runFile(p);
            assertThat(o.status()).as(o.describe()).isEqualTo(Outcome.Status.PASS);
        }));
    }

    @Test
    void theCorpusIsLargeAndEveryScriptSaysWhatItChecks() throws Exception {
        List<Path> all = PktRunner.expand(List.of(CORPUS));
        assertThat(all).hasSizeGreaterThanOrEqualTo(80);
        for (Path p : all) {
            assertThat(Files.readString(p).strip()).as(p + " starts with a comment").startsWith("//");
        }
    }
}
