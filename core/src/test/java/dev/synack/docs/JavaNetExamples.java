package dev.synack.docs;

import dev.synack.net.SynackServerSocketFactory;
import dev.synack.net.SynackSocketFactory;
import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import okhttp3.OkHttpClient;

/**
 * The README's sample of dev.synack.net, between "begin NAME" and "end NAME": DocumentExamplesTest
 * checks that the README shows exactly that region, and this file's compiling checks the calls
 * (JavaNetOnTunTest and PostgresOnTunTest run the same calls against the kernel's servers).
 */
final class JavaNetExamples {
    private JavaNetExamples() {}

    @SuppressWarnings({"UnusedVariable", "resource"}) // the sample names what a reader goes on to use
    static void factories(NetStack stack) throws IOException, NoSuchAlgorithmException {
        // begin factories
        SocketFactory factory = new SynackSocketFactory(stack);              // java.net sockets on a synack stack
        OkHttpClient http = new OkHttpClient.Builder().socketFactory(factory).build(); // OkHttp's TCP is synack's
        Socket socket = factory.createSocket("10.7.0.1", 443);               // a java.net.Socket (a SynackSocket)
        SSLSocket tls = (SSLSocket) SSLContext.getDefault().getSocketFactory()
                .createSocket(socket, "10.7.0.1", 443, true);                // the JDK's TLS, layered over it
        ServerSocket server = new SynackServerSocketFactory(stack).createServerSocket(8080); // accept() gives SynackSockets
        // end factories
    }
}
