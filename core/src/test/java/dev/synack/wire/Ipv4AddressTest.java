package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

/** Addresses in messages: "10.7.0.1:5000", never InetSocketAddress's "/10.7.0.1:5000". */
class Ipv4AddressTest {
    @Test
    void socketAddressesPrintWithoutTheLeadingSlash() {
        InetSocketAddress a = new InetSocketAddress(InetAddress.ofLiteral("10.7.0.1"), 5000);
        assertThat(a.toString()).isEqualTo("/10.7.0.1:5000");
        assertThat(Ipv4Address.hostPort(a)).isEqualTo("10.7.0.1:5000");
        assertThat(Ipv4Address.text(a.getAddress())).isEqualTo("10.7.0.1");
        assertThat(Ipv4Address.hostPort(new InetSocketAddress(InetAddress.ofLiteral("::1"), 7))).isEqualTo("[::1]:7"); // RFC 5952 text
        assertThat(Ipv4Address.hostPort(InetSocketAddress.createUnresolved("example.org", 80))).isEqualTo("example.org:80");
        assertThat(Ipv4Address.hostPort(UnixDomainSocketAddress.of("/tmp/s"))).isEqualTo("/tmp/s");
        assertThat(Ipv4Address.hostPort(null)).isEqualTo("null");
    }

    @Test
    void aNonIpv4AddressIsNamedWithoutASlash() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ipv4Address.of(InetAddress.ofLiteral("::1")))
                .hasMessage("not an IPv4 address: ::1");
    }
}
