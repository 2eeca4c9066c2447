package org.ketenlink.connectors.mqtt;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.TimerPingSender;
import org.eclipse.paho.mqttv5.client.internal.NetworkModule;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Paho's client with one repair. Paho's connect thread starts the receive, send and callback loops
 * one after the other and, for each, sleeps in 100 ms steps until it sees the loop running
 * (swallowing interrupts). If the connection fails before that, e.g. the broker closes it right
 * after accepting it or, with TLS 1.3, rejects the client certificate just after the handshake, the
 * receiver stops the loops and the connect thread waits forever: one leaked thread per attempt, for
 * as long as the link retries (upstream issue #1013, unfixed in 1.2.5 and on develop). Here a read
 * error is held back until the CONNECT packet is being written, which Paho does only after all
 * loops are running, so the error is then handled as an ordinary failed connect.
 *
 * <p>Persistence is in memory (Paho's shorter constructors write files to the working directory)
 * and all threads come from the link's executor.
 */
final class PahoClient extends MqttAsyncClient {
  /** A safety net only: the first write follows the start of the loops within milliseconds. */
  private static final long HOLD_MILLIS = 5_000;

  PahoClient(String serverUri, String clientId, ScheduledExecutorService threads)
      throws MqttException {
    super(serverUri, clientId, new MemoryPersistence(), new TimerPingSender(threads), threads);
  }

  @Override
  protected NetworkModule[] createNetworkModules(String address, MqttConnectionOptions options)
      throws MqttException {
    NetworkModule[] modules = super.createNetworkModules(address, options);
    for (int i = 0; i < modules.length; i++) {
      modules[i] = new HeldErrors(modules[i]);
    }
    return modules;
  }

  /** Delays read failures on a connection until something has been written to it. */
  private static final class HeldErrors implements NetworkModule {
    private final NetworkModule delegate;
    private final CountDownLatch written = new CountDownLatch(1);

    /** The held read failure; it explains a write failing after it better than the write does. */
    private volatile IOException readFailure;

    HeldErrors(NetworkModule delegate) {
      this.delegate = delegate;
    }

    @Override
    public void start() throws IOException, MqttException {
      delegate.start();
    }

    @Override
    public InputStream getInputStream() throws IOException {
      return new FilterInputStream(delegate.getInputStream()) {
        @Override
        public int read() throws IOException {
          try {
            return hold(super.read());
          } catch (SocketTimeoutException e) {
            throw e; // Paho polls with a read timeout; not a failure
          } catch (IOException e) {
            readFailure = e;
            hold(-1);
            throw e;
          }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          try {
            return hold(in.read(b, off, len));
          } catch (SocketTimeoutException e) {
            throw e;
          } catch (IOException e) {
            readFailure = e;
            hold(-1);
            throw e;
          }
        }
      };
    }

    /** Returns {@code n}; if it is end of stream, only once the CONNECT is on its way. */
    private int hold(int n) {
      if (n < 0) {
        try {
          written.await(HOLD_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return n;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return new FilterOutputStream(delegate.getOutputStream()) {
        @Override
        public void write(int b) throws IOException {
          written.countDown();
          try {
            out.write(b);
          } catch (IOException e) {
            throw explained(e);
          }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          written.countDown();
          try {
            out.write(b, off, len);
          } catch (IOException e) {
            throw explained(e);
          }
        }

        @Override
        public void flush() throws IOException {
          try {
            out.flush();
          } catch (IOException e) {
            throw explained(e);
          }
        }
      };
    }

    private IOException explained(IOException writeFailure) {
      IOException cause = readFailure;
      return cause == null ? writeFailure : new IOException(cause.getMessage(), cause);
    }

    @Override
    public void stop() throws IOException {
      written.countDown();
      delegate.stop();
    }

    @Override
    public String getServerURI() {
      return delegate.getServerURI();
    }
  }
}
