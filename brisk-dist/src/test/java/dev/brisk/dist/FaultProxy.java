package dev.brisk.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy that forwards one connection to {@code target} and can misbehave on command: delay every
 * chunk, cut the connection (RST) once a number of bytes has passed, or stall (keep both sockets open, forward
 * nothing). Threads are daemons and {@link #close()} ends them.
 */
final class FaultProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong forwarded = new AtomicLong();
    volatile long delayMillisPerChunk;
    volatile long cutAfterBytes = Long.MAX_VALUE;
    volatile boolean stall;

    FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fault-proxy-accept").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    long forwardedBytes() {
        return forwarded.get();
    }

    private void accept() {
        try {
            Socket in = server.accept();
            Socket out = new Socket(target.getAddress(), target.getPort());
            sockets.add(in);
            sockets.add(out);
            Thread.ofPlatform().daemon().name("fault-proxy-up").start(() -> pump(in, out));
            Thread.ofPlatform().daemon().name("fault-proxy-down").start(() -> pump(out, in));
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16 << 10];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                while (stall) {
                    Thread.sleep(10);
                }
                if (delayMillisPerChunk > 0) {
                    Thread.sleep(delayMillisPerChunk);
                }
                if (forwarded.addAndGet(n) > cutAfterBytes) {
                    cut();
                    return;
                }
                out.write(buf, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            // cut or closed
        }
    }

    /** Resets both connections, as a crashed middlebox or a pulled cable with keepalive would. */
    void cut() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        stall = false;
        cut();
        server.close();
    }
}
