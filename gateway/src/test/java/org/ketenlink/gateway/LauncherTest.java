package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code bin/ketenlink} as a line PC runs it, with {@code echo} in place of Java: the
 * JVM options it chooses, above all the class-data sharing archive for each configuration.
 */
class LauncherTest {

  private static final Path LAUNCHER =
      Path.of("..", "bin", "ketenlink").toAbsolutePath().normalize();
  private static final Pattern ARCHIVE =
      Pattern.compile("-XX:(SharedArchiveFile|ArchiveClassesAtExit)=(\\S+\\.jsa)");

  @TempDir Path dir;

  private final Map<String, String> env = new HashMap<>();

  private String launch(String... args) throws IOException, InterruptedException {
    Path jar = dir.resolve("dist/lib/ketenlink.jar");
    if (!Files.exists(jar)) {
      // The launcher looks for the jar in ../lib beside itself.
      Files.createDirectories(dir.resolve("dist/bin"));
      Files.createDirectories(jar.getParent());
      Files.writeString(jar, "not really a jar");
      Files.copy(LAUNCHER, dir.resolve("dist/bin/ketenlink"));
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                Stream.concat(
                        Stream.of("sh", dir.resolve("dist/bin/ketenlink").toString()),
                        Stream.of(args))
                    .toList())
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().put("JAVA", "echo");
    pb.environment().put("KETENLINK_CDS_DIR", dir.resolve("cds").toString());
    pb.environment().remove("KETENLINK_JAVA_OPTS");
    pb.environment().remove("KETENLINK_CDS");
    pb.environment().remove("KETENLINK_CDS_KEY");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /** The archive option the launcher passed, as "write:NAME" or "map:NAME"; "" for none. */
  private String archive(String... args) throws IOException, InterruptedException {
    Matcher m = ARCHIVE.matcher(launch(args));
    if (!m.find()) {
      return "";
    }
    String name = Path.of(m.group(2)).getFileName().toString();
    if (m.group(1).equals("ArchiveClassesAtExit")) {
      // What the JVM does when it stops: write the archive.
      Files.writeString(dir.resolve("cds").resolve(name), "archive");
      return "write:" + name;
    }
    return "map:" + name;
  }

  @Test
  void theDefaultsSizeTheJvmForALinePcAndSettleTheHeapAfterTheStart() throws Exception {
    String line = launch("run", "-c", "gateway.yaml");
    assertThat(line)
        .contains("-Xmx256m", "-XX:+UseSerialGC", "-Dketenlink.heap.settle=10:30")
        .contains("-XX:-ShrinkHeapInSteps", "-XX:TrimNativeHeapInterval=5000")
        .contains("-XX:SoftRefLRUPolicyMSPerMB=0")
        .endsWith(
            "-jar " + dir.resolve("dist/bin/../lib/ketenlink.jar") + " run -c gateway.yaml\n");
  }

  @Test
  void eachConfigurationHasItsOwnArchiveWrittenOnceThenMapped() throws Exception {
    Path a = Files.writeString(dir.resolve("a.yaml"), "links: [{id: main, broker: embedded}]\n");
    Path b = Files.writeString(dir.resolve("b.yaml"), "links: [{id: main, broker: mqtt://x}]\n");

    String first = archive("run", "-c", a.toString());
    assertThat(first).startsWith("write:");
    String name = first.substring("write:".length());
    assertThat(archive("run", "--config", a.toString())).isEqualTo("map:" + name);
    assertThat(archive("run", "--config=" + a)).isEqualTo("map:" + name);

    String other = archive("run", "-c", b.toString());
    assertThat(other).startsWith("write:").isNotEqualTo(first);

    // An edited configuration may load other classes (an embedded broker or not): a new archive.
    Files.writeString(a, "links: [{id: main, broker: mqtt://y}]\n");
    assertThat(archive("run", "-c", a.toString())).startsWith("write:").isNotEqualTo(first);

    assertThat(archive("demo")).startsWith("write:");
    assertThat(archive("check", "-c", b.toString())).as("only run and demo").isEmpty();
  }

  @Test
  void aNamedKeyStandsInForTheConfigurationsContent() throws Exception {
    Path a = Files.writeString(dir.resolve("a.yaml"), "broker: {port: 1883}\n");
    env.put("KETENLINK_CDS_KEY", "bench-embedded");
    String first = archive("run", "-c", a.toString());
    assertThat(first).startsWith("write:");
    Files.writeString(a, "broker: {port: 1884}\n");
    assertThat(archive("run", "-c", a.toString())).isEqualTo(first.replace("write:", "map:"));
    env.put("KETENLINK_CDS_KEY", "bench-mosquitto");
    assertThat(archive("run", "-c", a.toString())).startsWith("write:").isNotEqualTo(first);
  }

  @Test
  void onlyTheThreeArchivesUsedLastAreKept() throws Exception {
    Path cds = Files.createDirectories(dir.resolve("cds"));
    Instant t = Instant.now().minusSeconds(3600);
    for (String old : List.of("ketenlink-1.jsa", "ketenlink-2.jsa", "ketenlink-3.jsa")) {
      Files.setLastModifiedTime(
          Files.writeString(cds.resolve(old), "archive"), FileTime.from(t = t.plusSeconds(60)));
    }
    Path c = Files.writeString(dir.resolve("c.yaml"), "gateway: {id: c}\n");
    String written = archive("run", "-c", c.toString()).substring("write:".length());
    try (Stream<Path> left = Files.list(cds)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ketenlink-2.jsa", "ketenlink-3.jsa", written);
    }
  }
}
