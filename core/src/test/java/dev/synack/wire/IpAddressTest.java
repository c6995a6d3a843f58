package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpAddressTest {
    @Test
    void textIsReadAsRfc4291AllowsAndWrittenAsRfc5952Recommends() throws Exception {
        String[][] cases = {
                {"fd00::2", "fd00::2"}, {"FD00:0:0:0:0:0:0:2", "fd00::2"}, {"::", "::"}, {"::1", "::1"},
                {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
                {"fe80::1:2", "fe80::1:2"}, {"2001:0db8::0001", "2001:db8::1"}, {"1::", "1::"},
                {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"}, {"[fd00::2]", "fd00::2"},
        };
        for (String[] c : cases) {
            IpAddress address = IpAddress.parse(c[0]);
            assertThat(address.toString()).as(c[0]).isEqualTo(c[1]);
            assertThat(address.toInetAddress()).as(c[0]).isEqualTo(InetAddress.getByName(c[1]));
            assertThat(address.isIpv6()).isTrue();
        }
    }

    @Test
    void ipv4IsHeldAsIpv4MappedAndShownAsIpv4() throws Exception {
        IpAddress v4 = IpAddress.parse("10.0.0.1");
        assertThat(v4.isIpv4()).isTrue();
        assertThat(v4.ipv4()).isEqualTo(Ipv4Address.parse("10.0.0.1"));
        assertThat(v4).isEqualTo(IpAddress.parse("::ffff:10.0.0.1"));
        assertThat(v4.toMappedInet6Address().getAddress()).hasSize(16);
        assertThat(v4.toMappedInet6Address()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(IpAddress.of(InetAddress.getByName("10.0.0.1"))).isEqualTo(v4);
        assertThat(v4.withPort(80)).isEqualTo("10.0.0.1:80");
        assertThat(IpAddress.parse("fd00::2").withPort(80)).isEqualTo("[fd00::2]:80");
    }

    @Test
    void classesAndPrefixes() {
        assertThat(IpAddress.parse("fe80::1").isLinkLocal()).isTrue();
        assertThat(IpAddress.parse("febf::1").isLinkLocal()).isTrue();
        assertThat(IpAddress.parse("fec0::1").isLinkLocal()).isFalse();
        assertThat(IpAddress.parse("::").isUnspecified()).isTrue();
        assertThat(IpAddress.parse("0.0.0.0").isUnspecified()).isTrue();
        assertThat(Ipv6Address.isMulticast(IpAddress.parse("ff02::1").hi())).isTrue();
        IpAddress prefix = IpAddress.parse("fd00::");
        IpAddress inside = IpAddress.parse("fd00::ffff:1");
        IpAddress outside = IpAddress.parse("fd00:0:0:1::1");
        assertThat(Ipv6Address.inPrefix(inside.hi(), inside.lo(), prefix, 64)).isTrue();
        assertThat(Ipv6Address.inPrefix(outside.hi(), outside.lo(), prefix, 64)).isFalse();
        assertThat(Ipv6Address.inPrefix(outside.hi(), outside.lo(), prefix, 48)).isTrue();
        assertThat(Ipv6Address.inPrefix(inside.hi(), inside.lo(), prefix, 112)).isFalse();
        assertThat(Ipv6Address.inPrefix(inside.hi(), inside.lo(), IpAddress.parse("fd00::ffff:0"), 112)).isTrue();
    }

    @Test
    void malformedTextIsRefused() {
        for (String bad : new String[] {"1:2:3:4:5:6:7", "1::2::3", "12345::", ":1::", "1:2:3:4:5:6:7:8:9", "g::1", "1:2:3:4:5:6:7::8:9"}) {
            assertThatThrownBy(() -> Ipv6Address.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
