package org.photobridge.fhir.testing;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import jakarta.servlet.http.HttpServlet;

/**
 * Hosts a FHIR servlet (ours, or an independent HAPI server standing in for the EHR) in embedded
 * Jetty on a random loopback port, mounted at {@code /fhir}.
 */
public final class JettyFhirHost implements AutoCloseable {

    private final Server server;
    private final int port;

    private JettyFhirHost(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    public static JettyFhirHost start(HttpServlet servlet) {
        var server = new Server();
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        var context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(servlet), "/fhir/*");
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start Jetty for the FHIR servlet", e);
        }
        return new JettyFhirHost(server, connector.getLocalPort());
    }

    public int port() {
        return port;
    }

    /** The FHIR base, for example {@code http://127.0.0.1:41234/fhir}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/fhir";
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop Jetty", e);
        }
    }
}
