import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A build step of the gateway (gateway/pom.xml, package phase, after copy-dependencies): rewrites
 * every signed jar in the given folder without its signature files and without the manifest's
 * per-entry sections (one digest per class), keeping the main attributes (Multi-Release, OSGi
 * headers). Jars that are not signed are left alone, so a second run changes nothing.
 *
 * <p>Why: the JVM verifies each class it loads from a signed jar on the class path, and keeps the
 * jar's parsed manifest for the life of the process. For BouncyCastle, Eclipse Collections and
 * Paho that is about 13 000 entries, ~8 MB of heap, and a slower start-up; the signatures do not
 * protect anything on a class path (docs/architecture.md, "Libraries shipped without their jar
 * signatures").
 *
 * <p>Run with Java's single-file launcher: {@code java UnsignJars.java <folder>}.
 */
public final class UnsignJars {
  private UnsignJars() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1 || !Files.isDirectory(Path.of(args[0]))) {
      System.err.println("usage: java UnsignJars.java <folder with jars>");
      System.exit(2);
    }
    List<Path> jars = new ArrayList<>();
    try (DirectoryStream<Path> found = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
      found.forEach(jars::add);
    }
    jars.sort(null);
    for (Path jar : jars) {
      int removed = unsign(jar);
      if (removed >= 0) {
        System.out.printf(
            "UnsignJars: %s: signature and %d per-entry manifest sections removed%n",
            jar.getFileName(), removed);
      }
    }
  }

  /** The number of per-entry manifest sections removed, or -1 if the jar was not signed. */
  static int unsign(Path jar) throws IOException {
    Path rewritten = jar.resolveSibling(jar.getFileName() + ".unsigning");
    int sections;
    try (ZipFile in = new ZipFile(jar.toFile())) {
      if (in.stream().noneMatch(e -> isSignature(e.getName()))) {
        return -1;
      }
      ZipEntry manifestEntry = in.getEntry("META-INF/MANIFEST.MF");
      Manifest original = new Manifest();
      if (manifestEntry != null) {
        try (InputStream m = in.getInputStream(manifestEntry)) {
          original.read(m);
        }
      }
      sections = original.getEntries().size();
      Manifest mainOnly = new Manifest();
      mainOnly.getMainAttributes().putAll(original.getMainAttributes());
      try (OutputStream file = Files.newOutputStream(rewritten);
          ZipOutputStream out = new ZipOutputStream(file)) {
        Enumeration<? extends ZipEntry> entries = in.entries();
        while (entries.hasMoreElements()) {
          ZipEntry entry = entries.nextElement();
          if (isSignature(entry.getName())) {
            continue;
          }
          ZipEntry copy = new ZipEntry(entry.getName());
          copy.setTime(entry.getTime());
          out.putNextEntry(copy);
          if (manifestEntry != null && entry.getName().equals(manifestEntry.getName())) {
            mainOnly.write(out);
          } else {
            try (InputStream data = in.getInputStream(entry)) {
              data.transferTo(out);
            }
          }
          out.closeEntry();
        }
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(rewritten);
      throw new IOException(jar + ": could not remove its signature: " + e.getMessage(), e);
    }
    Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
    return sections;
  }

  /** The files of a jar signature: META-INF/*.SF, *.RSA, *.DSA, *.EC and SIG-*. */
  static boolean isSignature(String name) {
    return name.matches("(?i)META-INF/[^/]*\\.(SF|RSA|DSA|EC)|META-INF/SIG-[^/]*");
  }
}
