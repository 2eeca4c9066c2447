package org.ketenlink.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that cuts and stalls connections on command, for fault-injection tests.
 * {@link #cut()} resets every open connection (RST, like a failed network); {@link #stall()} stops
 * forwarding bytes in both directions while keeping the connections open (no FIN: only keep-alive
 * can notice); {@link #refuse(boolean)} closes new connections at once. Test code only.
 */
final class FaultProxy implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean stalled;
  private volatile boolean refusing;
  private volatile boolean closed;

  FaultProxy(int targetPort) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Resets every open connection. */
  void cut() {
    for (Socket s : open) {
      reset(s);
    }
    open.clear();
  }

  /** Stops forwarding: bytes stay in the kernel buffers, nobody sees a FIN or RST. */
  void stall() {
    stalled = true;
  }

  /** Forwards again after {@link #stall()}. */
  void resume() {
    stalled = false;
  }

  /** While true, new connections are closed as soon as they are accepted. */
  void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (refusing) {
          reset(client);
          continue;
        }
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 2_000);
        } catch (IOException e) {
          reset(client);
          continue;
        }
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        start(client, upstream);
        start(upstream, client);
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void start(Socket from, Socket to) {
    Thread t = new Thread(() -> pipe(from, to), "fault-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      while (!closed) {
        while (stalled && !closed && !from.isClosed()) {
          Thread.sleep(10);
        }
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        while (stalled && !closed && !from.isClosed()) {
          Thread.sleep(10); // read before the stall began: hold it back too
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the connection ended (cut, closed by a peer): close the other side too
    } finally {
      reset(from);
      reset(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    cut();
  }
}
