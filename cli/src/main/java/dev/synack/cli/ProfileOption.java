package dev.synack.cli;

import dev.synack.tcp.TcpConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --profile linux|freebsd|rfc}: which of TcpConfig's profiles the stacks run (demo, serve, connect, pkt). */
final class ProfileOption {
    @Option(names = "--profile", paramLabel = "linux|freebsd|rfc", defaultValue = "linux", converter = Name.class,
            description = "The TCP profile: linux (TcpConfig.linux(), the default), freebsd (TcpConfig.freebsd(): "
                    + "FreeBSD 14's defaults and choices, e.g. SHUT_RD discarding) or rfc (TcpConfig.rfc()).")
    String profile = "linux";

    /** The profile's configuration. */
    TcpConfig config() {
        return TcpConfig.profile(profile);
    }

    /** Accepts the three profile names only. */
    static final class Name implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!value.matches("linux|freebsd|rfc")) {
                throw new CommandLine.TypeConversionException("'" + value + "': a profile is linux, freebsd or rfc");
            }
            return value;
        }
    }
}
