package org.photobridge.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that accepts TCP connections on loopback and never answers: no A-ASSOCIATE-AC, no HTTP
 * response, nothing. It stands in for a PACS whose process hangs while the operating system still
 * completes the TCP handshake. {@link #close()} drops every held connection, so a client blocked on
 * one sees end-of-stream.
 */
public final class HangingPeer implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private HangingPeer(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::acceptForever, "hanging-peer-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on a free loopback port. */
    public static HangingPeer start() {
        return start(0);
    }

    /** Listens on this loopback port (0: any free one), for example where a stopped PACS listened. */
    public static HangingPeer start(int port) {
        try {
            var socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return new HangingPeer(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback port " + port, e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far (each one left unanswered). */
    public int acceptedConnections() {
        return accepted.get();
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                held.add(socket);
                accepted.incrementAndGet();
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Stops listening and closes every held connection. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        for (Socket socket : held) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
        held.clear();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
