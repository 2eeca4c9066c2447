package org.ketenlink.connectors.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread of one link, created here: the sender (the single writer) and the threads Paho runs
 * on, all named {@code ketenlink-mqtt-<id>-...}. Daemon threads, so a link that was never closed
 * does not keep the JVM alive.
 */
final class LinkThreads {
  private final Thread sender;
  private final PahoExecutor paho;
  private final Set<Thread> live = ConcurrentHashMap.newKeySet();

  LinkThreads(String linkId, Runnable senderLoop) {
    String prefix = "ketenlink-mqtt-" + linkId + "-";
    this.sender = factory(prefix + "sender").newThread(senderLoop);
    this.paho = new PahoExecutor(factory(prefix + "paho-timer"), factory(prefix + "paho-"));
  }

  Thread sender() {
    return sender;
  }

  /** For {@code MqttAsyncClient} and its {@code TimerPingSender}. */
  ScheduledExecutorService paho() {
    return paho;
  }

  void start() {
    sender.start();
  }

  /** Stops Paho's threads; the sender calls it last, after closing the Paho client. */
  void stopPaho() {
    paho.shutdownNow();
  }

  /**
   * Waits for the sender to finish (it disconnects, closes Paho and stops Paho's threads) and for
   * those threads to end. Returns at once when called on the sender thread itself (from a future's
   * dependent action): the sender finishes after that action returns.
   *
   * @return whether all threads ended; if not, {@link #alive()} names the rest
   */
  boolean awaitStopped(Duration senderGrace) throws InterruptedException {
    if (Thread.currentThread() == sender) {
      return true;
    }
    sender.join(Math.max(1, senderGrace.toMillis()));
    return !sender.isAlive() && paho.awaitTermination(2, TimeUnit.SECONDS);
  }

  /** Names of this link's threads that are still running, with what Paho calls them now. */
  List<String> alive() {
    return live.stream().filter(Thread::isAlive).map(Thread::getName).sorted().toList();
  }

  private ThreadFactory factory(String name) {
    AtomicInteger count = new AtomicInteger();
    boolean numbered = name.endsWith("-");
    return r -> {
      Thread[] self = new Thread[1];
      Thread t =
          new Thread(
              () -> {
                try {
                  r.run();
                } finally {
                  live.remove(self[0]);
                }
              },
              numbered ? name + count.incrementAndGet() : name);
      self[0] = t;
      t.setDaemon(true);
      live.add(t);
      return t;
    };
  }

  /**
   * Paho runs its receiver, sender and callback loops as long-lived tasks on the executor it is
   * given, and waits (sleeping) until each has started: a fixed-size pool that is busy with a
   * previous connection's loops would hang a reconnect. So those tasks go to a pool that grows as
   * needed; only Paho's keep-alive timer uses the scheduled single thread. Paho renames threads
   * while its loops run ("MQTT Rec: ..."); the name is restored when the task ends.
   */
  private static final class PahoExecutor extends ScheduledThreadPoolExecutor {
    private final ThreadPoolExecutor loops;

    PahoExecutor(ThreadFactory timerThreads, ThreadFactory loopThreads) {
      super(1, timerThreads);
      setRemoveOnCancelPolicy(true);
      this.loops =
          new ThreadPoolExecutor(
              0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), loopThreads) {
            private final ThreadLocal<String> name = new ThreadLocal<>();

            @Override
            protected void beforeExecute(Thread t, Runnable r) {
              name.set(t.getName());
            }

            @Override
            protected void afterExecute(Runnable r, Throwable t) {
              Thread.currentThread().setName(name.get());
            }
          };
    }

    @Override
    public void execute(Runnable command) {
      loops.execute(command);
    }

    @Override
    public Future<?> submit(Runnable task) {
      return loops.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
      return loops.submit(task, result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
      return loops.submit(task);
    }

    @Override
    public void shutdown() {
      loops.shutdown();
      super.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      List<Runnable> pending = new ArrayList<>(loops.shutdownNow());
      pending.addAll(super.shutdownNow());
      return pending;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      long deadline = System.nanoTime() + unit.toNanos(timeout);
      return loops.awaitTermination(timeout, unit)
          && super.awaitTermination(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isShutdown() {
      return loops.isShutdown() && super.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return loops.isTerminated() && super.isTerminated();
    }
  }
}
