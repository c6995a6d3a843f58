package dev.synack.cli;

import dev.synack.trace.FlatJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code synack} in-process with captured output, and reads back JSON lines output. */
final class DemoRunner {
    record Result(int exitCode, String out, String err) {
        List<Map<String, Object>> events() {
            List<Map<String, Object>> events = new ArrayList<>();
            out.lines().forEach(l -> events.add(FlatJson.parse(l)));
            return events;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static List<Map<String, Object>> where(List<Map<String, Object>> events, String key, Object value) {
        return events.stream().filter(e -> value.equals(e.get(key))).toList();
    }

    static String str(Map<String, Object> e, String key) {
        return (String) e.get(key);
    }

    static BigDecimal num(Map<String, Object> e, String key) {
        return (BigDecimal) e.get(key);
    }

    private DemoRunner() {}
}
