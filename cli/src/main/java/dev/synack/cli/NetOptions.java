package dev.synack.cli;

import java.io.IOException;
import java.nio.file.Path;
import dev.synack.link.PcapWriter;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options {@code serve} and {@code connect} share: the TUN device, its address and MTU, the profile, the capture. */
final class NetOptions {
    @Option(names = "--tun", paramLabel = "NAME",
            description = "Create the TUN device NAME (needs root or CAP_NET_ADMIN) with synack at --address; the "
                    + "kernel gets the subnet's first address (10.7.0.1 for 10.7.0.2/24, fd00::1 for fd00::2/64).")
    String tun;

    @Option(names = "--address", paramLabel = "IP[/PREFIX]",
            description = "synack's IPv4 or IPv6 address: with --tun IP/PREFIX (default " + NetSetup.DEFAULT_TUN_ADDRESS
                    + ", or e.g. fd00::2/64); with --udp a plain IP (default 10.9.0.2 for serve, 10.9.0.1 for connect).")
    String address;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500",
            description = "MTU of the TUN device; synack's MSS is MTU - 40. Default: ${DEFAULT-VALUE}.")
    int mtu;

    @picocli.CommandLine.Mixin
    ProfileOption profile = new ProfileOption();

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write every packet synack sends and receives to FILE (pcap, raw IP; Wireshark reads it).")
    Path pcap;

    @Option(names = "--pcap-snaplen", paramLabel = "BYTES", defaultValue = "0", converter = Snaplen.class,
            description = "Keep at most BYTES of each packet in the --pcap file, as tcpdump -s (0, the default: whole packets).")
    int pcapSnaplen;

    /** --pcap-snaplen's values: 0 to 65535 (see {@link PcapWriter#checkSnaplen}). */
    static final class Snaplen implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return PcapWriter.checkSnaplen(Integer.parseInt(value));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "': a snaplen is 0-" + PcapWriter.SNAPLEN + " bytes");
            }
        }
    }

    /** The capture these options ask for, or null without --pcap. */
    NetSetup.Capture capture() {
        return pcap == null ? null : new NetSetup.Capture(pcap, pcapSnaplen);
    }

    /** Makes the UDP network from synack's address. */
    @FunctionalInterface
    interface UdpSetup {
        NetSetup make(String address) throws IOException;
    }

    /**
     * The network these options describe: the TUN device with --tun, else the UDP network {@code udp}
     * makes from synack's address (--address, or {@code defaultUdpAddress}).
     */
    NetSetup setup(String defaultUdpAddress, UdpSetup udp) throws IOException {
        return tun != null ? tunSetup() : udp.make(address == null ? defaultUdpAddress : address);
    }

    /** The TUN network these options describe (with --tun). */
    NetSetup tunSetup() throws IOException {
        return NetSetup.tun(tun, address == null ? NetSetup.DEFAULT_TUN_ADDRESS : address, mtu, capture(), profile.config());
    }
}
