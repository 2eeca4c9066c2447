package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/**
 * The libraries the package phase put in {@code target/lib} (what the launcher and the distribution
 * use) carry no jar signatures and no per-class manifest sections, and are otherwise the jars Maven
 * resolved, entry for entry ({@code src/build/UnsignJars.java}).
 */
class ShippedLibrariesIT {
  private static final Path LIB = Path.of("target", "lib");

  @Test
  void noShippedLibraryIsSignedOrCarriesPerClassManifestSections() throws IOException {
    List<Path> jars;
    try (Stream<Path> found = Files.list(LIB)) {
      jars = found.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
    assertThat(jars).as("jars in %s", LIB.toAbsolutePath()).hasSizeGreaterThan(20);
    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile())) {
        assertThat(file.stream().map(ZipEntry::getName))
            .as("signature files in %s", jar)
            .noneMatch(n -> n.matches("(?i)META-INF/[^/]*\\.(SF|RSA|DSA|EC)|META-INF/SIG-[^/]*"));
        if (file.getManifest() != null) {
          assertThat(file.getManifest().getEntries()).as("manifest sections of %s", jar).isEmpty();
        }
      }
    }
  }

  @Test
  void bouncyCastleKeepsEveryClassAndItsMainManifestAttributes() throws Exception {
    Path shipped = jarOf(BouncyCastleProvider.class);
    assertThat(shipped.getParent()).as("BouncyCastle is loaded from").endsWith(LIB);
    Path resolved = resolvedByMaven(shipped.getFileName().toString());
    try (JarFile original = new JarFile(resolved.toFile());
        JarFile unsigned = new JarFile(shipped.toFile())) {
      assertThat(original.stream().map(ZipEntry::getName))
          .as("the resolved jar %s is the signed one", resolved)
          .anyMatch(n -> n.endsWith(".SF"));
      Map<String, Long> expected = crcs(original);
      expected.keySet().removeIf(n -> n.matches("META-INF/[^/]*\\.(SF|RSA)"));
      Map<String, Long> actual = crcs(unsigned);
      expected.remove("META-INF/MANIFEST.MF");
      actual.remove("META-INF/MANIFEST.MF");
      assertThat(actual).as("entries and their CRCs").isEqualTo(expected);

      Attributes main = unsigned.getManifest().getMainAttributes();
      assertThat(main).isEqualTo(original.getManifest().getMainAttributes());
      assertThat(main.getValue("Multi-Release")).isEqualTo("true");
      assertThat(unsigned.isMultiRelease()).isTrue();
    }
  }

  private static Map<String, Long> crcs(JarFile jar) {
    Map<String, Long> crcs = new TreeMap<>();
    for (ZipEntry e : Collections.list(jar.entries())) {
      crcs.put(e.getName(), e.getCrc());
    }
    return crcs;
  }

  /** The jar of that name on the test class path that Maven resolved (not the shipped copy). */
  private static Path resolvedByMaven(String fileName) {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of)
        .filter(p -> p.getFileName().toString().equals(fileName))
        .filter(p -> !p.toAbsolutePath().startsWith(LIB.toAbsolutePath()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(fileName + " is not on the test class path"));
  }

  private static Path jarOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
