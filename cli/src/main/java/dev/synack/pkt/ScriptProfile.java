package dev.synack.pkt;

import dev.synack.tcp.TcpConfig;

/** What synack's {@code --profile linux|freebsd|rfc} option means to a script run. */
final class ScriptProfile {
    private ScriptProfile() {}

    /**
     * The configuration a script starts from: linux (the default, {@link ScriptRunner#packetdrillLinux()}),
     * freebsd ({@link TcpConfig#freebsd()} as it is: FreeBSD's scripts set the sysctls they depend on
     * themselves) or rfc ({@link TcpConfig#rfc()}).
     */
    static TcpConfig base(String profile) {
        return profile == null || profile.equals("linux") ? ScriptRunner.packetdrillLinux() : TcpConfig.profile(profile);
    }

    /** The platform a profile stands for, as packetdrill defines it for #ifdef: {@code FreeBSD} or {@code Linux}. */
    static String platformSymbol(String profile) {
        return "freebsd".equals(profile) ? "FreeBSD" : "Linux";
    }
}
