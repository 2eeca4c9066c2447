package org.ketenlink.connectors.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay between a client and a broker that a test can cut like a pulled cable:
 * {@link #cut()} resets every open connection (no MQTT DISCONNECT reaches the broker) and keeps
 * accepting new ones, so the client can reconnect through it.
 */
final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final List<long[]> spans = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean closed;
  private volatile boolean holdingReplies;

  TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String uri() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted, including those closed at once because the target was down. */
  int accepted() {
    return accepted.get();
  }

  /**
   * When each connection opened and closed ({@link System#nanoTime()}; closed is 0 while open), in
   * the order they were accepted.
   */
  List<long[]> spans() {
    return List.copyOf(spans);
  }

  /**
   * Stops passing on what the broker sends (its acknowledgements stay in the relay) until the next
   * {@link #cut()}, so a test can be sure that messages are in flight, unacknowledged, when it
   * cuts.
   */
  void holdReplies() {
    holdingReplies = true;
  }

  /** Resets all open connections (RST, as if the network failed); new ones are relayed as usual. */
  void cut() {
    for (Socket s : sockets) {
      reset(s);
    }
    holdingReplies = false;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
        accepted.incrementAndGet();
      } catch (IOException e) {
        continue; // closed, or a failed accept; the loop condition decides
      }
      try {
        Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        broker.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(broker);
        long[] span = {System.nanoTime(), 0};
        spans.add(span);
        pipe(client, broker, span, false);
        pipe(broker, client, span, true);
      } catch (IOException targetDown) {
        reset(client); // accepted, then closed at once: what an overloaded broker does
      }
    }
  }

  private void pipe(Socket from, Socket to, long[] span, boolean reply) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  while (reply && holdingReplies && !from.isClosed()) {
                    Thread.sleep(5);
                  }
                }
              } catch (IOException | InterruptedException e) {
                // cut or closed
              } finally {
                synchronized (span) {
                  if (span[1] == 0) {
                    span[1] = System.nanoTime();
                  }
                }
                reset(from);
                reset(to);
              }
            },
            "test-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException e) {
      // already closed
    }
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
    sockets.remove(s);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    cut();
  }
}
