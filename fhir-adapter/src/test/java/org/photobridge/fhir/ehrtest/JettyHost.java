package org.photobridge.fhir.ehrtest;

import java.util.EnumSet;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;

/**
 * Hosts one servlet (a HAPI RestfulServer) at {@code /fhir/*} in embedded Jetty on a random loopback
 * port. {@link #pause()} closes the listening socket, so clients get "connection refused" as from
 * a server that is down; {@link #resume()} listens again on the same port.
 */
public final class JettyHost implements AutoCloseable {

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private int port;

    public JettyHost(Servlet servlet, Filter... filters) {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        var context = new ServletContextHandler();
        context.setContextPath("/");
        for (var filter : filters) {
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        context.addServlet(new ServletHolder(servlet), "/fhir/*");
        server.setHandler(context);
    }

    public JettyHost start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not start", e);
        }
        port = connector.getLocalPort();
        connector.setPort(port); // a restarted connector must come back on the same port
        return this;
    }

    /** e.g. http://127.0.0.1:41234/fhir */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/fhir";
    }

    public int port() {
        return port;
    }

    /** Stops listening: new connections are refused and open ones are closed. */
    public void pause() {
        try {
            connector.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty connector did not stop", e);
        }
    }

    public void resume() {
        try {
            connector.start();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty connector did not restart on port " + port, e);
        }
    }

    public boolean isPaused() {
        return !connector.isRunning();
    }

    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
