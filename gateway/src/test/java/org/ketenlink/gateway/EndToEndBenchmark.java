package org.ketenlink.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.ketenlink.gateway.EndToEnd.Broker;
import org.ketenlink.gateway.EndToEnd.Result;
import org.ketenlink.gateway.EndToEnd.Settings;

/**
 * The end-to-end benchmark ({@link EndToEnd}), full size. Not part of the test run (the name
 * matches neither *Test nor *IT); {@code EndToEndSmokeIT} runs the same harness small. Needs the
 * packaged jar and Mosquitto ({@code apt-get install mosquitto}):
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install
 * ./mvnw -B -pl gateway test -Dtest=EndToEndBenchmark                       # every target
 * ./mvnw -B -pl gateway test -Dtest=EndToEndBenchmark -Dbench.suite=one \
 *     -Dbench.machines=10 -Dbench.variables=100 -Dbench.intervalMs=100 -Dbench.broker=mosquitto \
 *     -Dbench.batch=true                                                    # one run
 * </pre>
 *
 * The target suite runs, each on embedded HiveMQ and on Mosquitto: 1 000 signals every 100 ms and
 * 10 000 signals every second (one message per value), and one message per value and batched at
 * rising rates until a run no longer keeps up. Every run prints one {@code E2E} line; the suite
 * ends with the markdown table for docs/benchmarks.md (also in target/e2e-benchmark.md). {@code
 * -Dbench.seconds} (default 30) and {@code -Dbench.warmupSeconds} (default 10) set the window;
 * {@code -Dbench.subscriberQos} (0), {@code -Dbench.journalSync} and {@code -Dbench.jvmOptions}
 * (the launcher's {@code KETENLINK_JAVA_OPTS}) apply to every run.
 */
class EndToEndBenchmark {

  @Test
  void measure() throws Exception {
    Settings base = Settings.fromProperties();
    Path dir = Files.createTempDirectory("ketenlink-e2e");
    List<Result> results = new ArrayList<>();
    if (System.getProperty("bench.suite", "targets").equals("one")) {
      results.add(once(base, dir, results.size()));
    } else {
      for (Broker broker : Broker.values()) {
        results.add(once(base.with(10, 100, 100, broker, false), dir, results.size()));
        results.add(once(base.with(10, 1_000, 1_000, broker, false), dir, results.size()));
        // Rising load, each step while the previous one kept up (10 machines, 100 ms): 20 000,
        // 40 000, 60 000 values/s one message per value; 100 000, 150 000, 200 000 batched.
        for (boolean batch : new boolean[] {false, true}) {
          int[] perMachine = batch ? new int[] {1_000, 1_500, 2_000} : new int[] {200, 400, 600};
          for (int variables : perMachine) {
            Result r = once(base.with(10, variables, 100, broker, batch), dir, results.size());
            results.add(r);
            if (!r.keptUp()) {
              break;
            }
          }
        }
      }
    }
    String table = EndToEnd.table(results);
    System.out.println(table);
    Files.writeString(Path.of("target", "e2e-benchmark.md"), table + "\n");
  }

  private static Result once(Settings s, Path dir, int n) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "E2E run %d: %d signals every %d ms on %s, %s%n",
        n + 1,
        s.machines() * s.variables(),
        s.intervalMs(),
        s.broker(),
        s.batch() ? "batched" : "one message per value");
    Result r = EndToEnd.run(s, dir.resolve("run-" + (n + 1)));
    System.out.println(r.line());
    return r;
  }
}
