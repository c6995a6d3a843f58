package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scripts mangled at random (lines dropped, swapped or duplicated, tokens deleted) never make the
 * runner throw or hang: each gives a pass, fail or skip outcome, and a failure names a line.
 */
class MangledScriptsTest {
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void everyMangledScriptGivesAnOutcome(long seed) throws Exception {
        Random random = new Random(seed);
        List<Path> scripts = PktRunner.expand(List.of(Path.of("src/test/pkt")));
        for (int i = 0; i < 50; i++) {
            Path p = scripts.get(random.nextInt(scripts.size()));
            String mangled = mangle(Files.readString(p), random);
            Outcome o = PktRunner.runText(p.getFileName().toString(), mangled);
            assertThat(o).as("seed %d, mutant %d of %s:%n%s", seed, i, p, mangled).isNotNull();
            assertThat(o.message()).as("seed %d, mutant %d of %s:%n%s", seed, i, p, mangled).doesNotContain("internal error");
        }
    }

    private static String mangle(String text, Random random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && lines.size() > 1; e++) {
            int a = random.nextInt(lines.size());
            int b = random.nextInt(lines.size());
            switch (random.nextInt(4)) {
                case 0 -> lines.remove(a);
                case 1 -> {
                    String t = lines.get(a);
                    lines.set(a, lines.get(b));
                    lines.set(b, t);
                }
                case 2 -> lines.add(b, lines.get(a));
                default -> {
                    String[] tokens = lines.get(a).split(" ");
                    if (tokens.length > 1) {
                        int drop = random.nextInt(tokens.length);
                        StringBuilder s = new StringBuilder();
                        for (int k = 0; k < tokens.length; k++) if (k != drop) s.append(tokens[k]).append(' ');
                        lines.set(a, s.toString().strip());
                    }
                }
            }
        }
        return String.join("\n", lines) + "\n";
    }
}
