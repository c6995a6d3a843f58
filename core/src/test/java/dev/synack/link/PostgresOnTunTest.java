package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.net.SynackSocketFactory;
import dev.synack.stack.NetStack;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PostgreSQL JDBC driver, unmodified, on synack: its {@code socketFactory} property names
 * {@link SynackSocketFactory} and {@code socketFactoryArg} the name the TUN bench's stack is
 * registered under; the
 * server is Debian's PostgreSQL started by the test inside the namespace (on the kernel's TCP).
 * A table is written and read back, a 200 kB bytea compared byte for byte. Root only, and skipped
 * with the reason when PostgreSQL is not installed (.ci/run installs it).
 */
@Timeout(120)
class PostgresOnTunTest {
    private static final int PORT = 5432;

    private static Path postgresBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.naturalOrder()).orElse(null);
        }
    }

    private static int run(List<String> command, File log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void pgjdbcOnSynackTalksToPostgresqlOnTheKernel() throws Exception {
        NetNamespace.assumeAvailable();
        Path bin = postgresBin();
        String reason = bin == null ? "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb; .ci/run installs it)" : null;
        if (reason != null) System.out.println("SKIPPED PostgreSQL interop test: " + reason);
        assumeTrue(reason == null, reason);

        Path dir = Files.createTempDirectory("synack-pg");
        File log = dir.resolve("server.log").toFile();
        Path data = dir.resolve("data");
        Process server = null;
        SynackSocketFactory.Registration registration = null;
        try (KernelInterop bench = KernelInterop.start()) {
            assertThat(run(List.of("chown", "-R", "postgres:", dir.toString()), log)).isZero();
            assertThat(run(List.of("runuser", "-u", "postgres", "--", bin.resolve("initdb").toString(), "-D", data.toString(),
                    "-A", "trust", "-U", "postgres", "--no-sync"), log)).as("initdb, see " + log).isZero();
            Files.writeString(data.resolve("pg_hba.conf"), "host all all " + KernelInterop.SYNACK_IP + "/32 trust\n",
                    java.nio.file.StandardOpenOption.APPEND);
            server = new ProcessBuilder("ip", "netns", "exec", bench.ns.name, "runuser", "-u", "postgres", "--",
                    bin.resolve("postgres").toString(), "-D", data.toString(), "-c", "listen_addresses=" + KernelInterop.KERNEL_IP,
                    "-c", "port=" + PORT, "-c", "unix_socket_directories=" + data, "-c", "fsync=off")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            List<String> isReady = List.of("ip", "netns", "exec", bench.ns.name, bin.resolve("pg_isready").toString(),
                    "-h", KernelInterop.KERNEL_IP, "-p", Integer.toString(PORT));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (run(isReady, log) != 0) {
                assertThat(System.nanoTime()).as("PostgreSQL ready within 30 s, see " + log).isLessThan(deadline);
                assertThat(server.isAlive()).as("PostgreSQL running, see " + log).isTrue();
                Thread.sleep(200);
            }

            registration = SynackSocketFactory.register("tun", bench.stack);
            Properties p = new Properties();
            p.setProperty("user", "postgres");
            p.setProperty("sslmode", "disable");
            p.setProperty("socketFactory", SynackSocketFactory.class.getName());
            p.setProperty("socketFactoryArg", "tun");
            byte[] blob = new byte[200_000];
            new Random(171).nextBytes(blob);
            String url = "jdbc:postgresql://" + KernelInterop.KERNEL_IP + ":" + PORT + "/postgres";
            try (Connection c = DriverManager.getConnection(url, p); Statement st = c.createStatement()) {
                try (ResultSet r = st.executeQuery("select host(inet_client_addr()), version()")) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.getString(1)).isEqualTo(KernelInterop.SYNACK_IP); // the server saw synack's address
                    assertThat(r.getString(2)).startsWith("PostgreSQL");
                }
                st.execute("create table t (id int primary key, name text, data bytea)");
                try (PreparedStatement ins = c.prepareStatement("insert into t values (?, ?, ?)")) {
                    for (int i = 0; i < 100; i++) {
                        ins.setInt(1, i);
                        ins.setString(2, "row " + i);
                        ins.setBytes(3, i == 42 ? blob : new byte[] {(byte) i});
                        ins.addBatch();
                    }
                    ins.executeBatch();
                }
                List<String> names = new ArrayList<>();
                try (ResultSet r = st.executeQuery("select name from t where id % 10 = 0 order by id")) {
                    while (r.next()) names.add(r.getString(1));
                }
                assertThat(names).hasSize(10).startsWith("row 0", "row 10").endsWith("row 90");
                try (ResultSet r = st.executeQuery("select data from t where id = 42")) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.getBytes(1)).isEqualTo(blob);
                }
            }
        } finally {
            if (registration != null) registration.close();
            if (server != null) {
                run(List.of("runuser", "-u", "postgres", "--", bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                        "stop", "-m", "immediate"), log);
                if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
