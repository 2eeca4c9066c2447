package org.ketenlink.gateway;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** The JMH hot-path benchmarks of the gateway, and how they are run. */
final class HotPaths {

  /**
   * Every hot-path benchmark: normalise + encode, the journal record, journal append, partner view
   * filtering.
   */
  static final String[] BENCHMARKS = {
    NormaliseEncodeBench.class.getName(),
    MessageCodecBench.class.getName(),
    SharerBench.class.getName(),
    org.ketenlink.gateway.journal.JournalAppendBench.class.getName()
  };

  /** Benchmark runs: one per parameter combination (1 + 1 + 3 partners + 2 sync policies). */
  static final int RUNS = 7;

  private HotPaths() {}

  static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
    for (String b : BENCHMARKS) {
      options.include("^" + b.replace(".", "\\.") + "\\.");
    }
    return new Runner(options.shouldFailOnError(true).build()).run();
  }

  static OptionsBuilder options() {
    return new OptionsBuilder();
  }
}
