package org.ketenlink.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The JMH hot-path benchmarks, measured (not part of the test run; docs/benchmarks.md):
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install
 * ./mvnw -B -pl gateway test -Dtest=HotPathsBenchmark
 * </pre>
 *
 * One fork per benchmark with the launcher's JVM settings for a line PC, 3 × 1 s warm-up, 5 × 1 s
 * measured; results printed and written to {@code gateway/target/jmh-hotpaths.json}.
 */
class HotPathsBenchmark {

  @Test
  void measure() throws Exception {
    Path out = Path.of("target", "jmh-hotpaths.json");
    Files.createDirectories(out.getParent());
    Files.deleteIfExists(out);
    var results =
        HotPaths.run(
            HotPaths.options()
                .forks(1)
                .jvmArgs("-Xmx256m", "-XX:+UseSerialGC")
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .resultFormat(ResultFormatType.JSON)
                .result(out.toString()));
    org.assertj.core.api.Assertions.assertThat(results).hasSize(HotPaths.RUNS);
    org.assertj.core.api.Assertions.assertThat(out).isNotEmptyFile();
  }
}
