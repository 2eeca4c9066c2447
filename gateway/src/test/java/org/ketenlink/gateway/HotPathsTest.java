package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A smoke-size run of the JMH hot-path benchmarks (in this JVM, no warm-up, one short iteration),
 * so they cannot rot: each must run and do work. The figures mean nothing at this size; {@link
 * HotPathsBenchmark} measures.
 */
class HotPathsTest {

  @Test
  void everyHotPathBenchmarkRuns() throws Exception {
    Collection<RunResult> results =
        HotPaths.run(
            HotPaths.options()
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200)));
    assertThat(results).hasSize(HotPaths.RUNS);
    assertThat(results)
        .allSatisfy(
            r ->
                assertThat(r.getPrimaryResult().getScore())
                    .as(r.getParams().getBenchmark() + " " + r.getParams())
                    .isPositive());
  }
}
