package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a person sees when the TUN device cannot be made: the message names what is missing. */
class TunLinkErrorsTest {
    private static final TunLink.Options OPTIONS = TunLink.Options.of("synack9", "10.7.0.2/24");

    @Test
    void withoutTheCloneDeviceTheMessageSaysTheDriverIsMissing() {
        assertThatThrownBy(() -> TunLink.open(OPTIONS, Path.of("/dev/net/no-such-tun")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no /dev/net/no-such-tun: the TUN driver is missing")
                .hasMessageContaining("modprobe tun");
    }

    @Test
    void aFileThatIsNotTheCloneDeviceIsNamed() {
        assumeTrue(Files.isWritable(Path.of("/dev/null")));
        assertThatThrownBy(() -> TunLink.open(OPTIONS, Path.of("/dev/null")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ioctl(TUNSETIFF synack9) failed: ENOTTY")
                .hasMessageContaining("/dev/null is not the TUN clone device");
    }

    @Test
    void badOptionsAreRejectedBeforeAnythingIsOpened() {
        assertThatThrownBy(() -> TunLink.Options.of("a-name-far-too-long", "10.7.0.2/24"))
                .hasMessageContaining("bad interface name");
        assertThatThrownBy(() -> TunLink.Options.of("synack0", "10.7.0.2")).hasMessageContaining("needs a prefix length");
        assertThatThrownBy(() -> TunLink.Options.of("synack0", "10.7.0.2/31")).hasMessageContaining("prefix length /31");
        assertThatThrownBy(() -> TunLink.Options.of("synack0", "10.7.0.2/24").mtu(100)).hasMessageContaining("MTU 100");
        assertThat(TunLink.Options.of("synack0", "10.7.0.2/24").kernelAddress()).isEqualTo("10.7.0.1");
        assertThat(TunLink.Options.of("synack0", "10.7.0.1/24").kernelAddress()).isEqualTo("10.7.0.2");
    }

    /**
     * A process without CAP_NET_ADMIN (root with the capability dropped from its bounding set, by
     * setpriv) is told that creating a TUN device needs it.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutCapNetAdminServeSaysWhatIsNeeded() throws Exception {
        NetNamespace.assumeAvailable();
        assumeTrue(new java.io.File("/usr/bin/setpriv").canExecute(), "setpriv (util-linux) is needed to drop the capability");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        // Inside a namespace of the test's own, so that nothing could reach the host's network even
        // if the capability were not dropped.
        try (NetNamespace ns = NetNamespace.create()) {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns.name, "setpriv", "--bounding-set", "-net_admin",
                    javaBin.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.synack.cli.Main", "serve", "--tun", "synack9", "--echo", "--max-connections", "1")
                    .redirectErrorStream(true).start();
            try {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.exitValue()).as(out).isEqualTo(1);
                assertThat(out).contains("synack serve: ioctl(TUNSETIFF synack9) failed: EPERM")
                        .contains("creating a TUN device needs CAP_NET_ADMIN: run as root (sudo)");
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aRouteInsideTheSubnetIsAConflictAndABroaderOneIsNot() {
        int subnet = dev.synack.wire.Ipv4Address.parse("10.7.0.0");
        assertThat(TunDevice.routeOverlapping("10.7.0.0/24 dev synack0 proto kernel scope link src 10.7.0.1", subnet, 24))
                .isEqualTo("10.7.0.0/24");
        assertThat(TunDevice.routeOverlapping("10.7.0.128/25 dev tun0", subnet, 24)).isEqualTo("10.7.0.128/25");
        assertThat(TunDevice.routeOverlapping("10.7.0.9 via 192.0.2.1 dev eth0", subnet, 24)).isEqualTo("10.7.0.9");
        assertThat(TunDevice.routeOverlapping("unreachable 10.7.0.0/24", subnet, 24)).isEqualTo("10.7.0.0/24");
        assertThat(TunDevice.routeOverlapping("10.0.0.0/8 via 192.0.2.1 dev eth0", subnet, 24)).isNull();
        assertThat(TunDevice.routeOverlapping("10.8.0.0/24 dev synack1", subnet, 24)).isNull();
        assertThat(TunDevice.routeOverlapping("default via 192.0.2.1 dev eth0", subnet, 24)).isNull();
    }

    /** Two TUN devices on overlapping subnets: the second is refused, saying which route is in the way. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSecondDeviceOnARoutedSubnetIsRefused() throws Exception {
        NetNamespace.assumeAvailable();
        try (NetNamespace ns = NetNamespace.create();
             TunLink first = ns.call(() -> TunLink.open(TunLink.Options.of("synack0", "10.7.0.2/24").namespace(ns.name)))) {
            assertThat(first.options().device()).isEqualTo("synack0");
            assertThatThrownBy(() -> ns.call(() -> TunLink.open(TunLink.Options.of("synack1", "10.7.0.5/24").namespace(ns.name))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("the kernel already routes 10.7.0.0/24, which overlaps 10.7.0.0/24")
                    .hasMessageContaining("dev synack0").hasMessageContaining("give synack1 another subnet");
            // The refused device is gone with its descriptor; another subnet is fine.
            try (TunLink other = ns.call(() -> TunLink.open(TunLink.Options.of("synack1", "10.8.0.2/24").namespace(ns.name)))) {
                assertThat(other.options().address()).isEqualTo("10.8.0.2");
            }
        }
    }
}
