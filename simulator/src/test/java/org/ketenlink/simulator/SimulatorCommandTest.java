package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulatorCommandTest {

  @TempDir Path dir;

  @Test
  void helpListsEveryDocumentedOption() {
    StringWriter out = new StringWriter();
    int code =
        new CommandLine(new SimulatorCommand()).setOut(new PrintWriter(out)).execute("--help");
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains(
            "--port",
            "--scenario",
            "--seed",
            "--time-scale",
            "--load-machines",
            "--load-variables",
            "--load-interval-ms",
            "--allow-insecure",
            "--user",
            "--pki-dir");
  }

  @Test
  void anInvalidScenarioFileIsRefusedWithExitCode2() throws Exception {
    Path scenario = dir.resolve("bad.yaml");
    Files.writeString(scenario, "machines:\n  - {id: m1, type: toaster, idealCycleTime: 1s}\n");
    StringWriter err = new StringWriter();
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    int code;
    try {
      code =
          new CommandLine(new SimulatorCommand())
              .setErr(new PrintWriter(err))
              .execute(
                  "--scenario", scenario.toString(), "--pki-dir", dir.resolve("pki").toString());
    } finally {
      System.setErr(saved);
    }
    assertThat(code).isEqualTo(2);
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("machines[0].type: 'toaster' is not one of");
  }

  @Test
  void badOptionValuesAreListedTogether() {
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    int code;
    try {
      code =
          new CommandLine(new SimulatorCommand())
              .execute(
                  "--port",
                  "70000",
                  "--time-scale",
                  "0",
                  "--pki-dir",
                  dir.resolve("pki").toString());
    } finally {
      System.setErr(saved);
    }
    String text = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(1);
    assertThat(text)
        .contains("port: 70000 is not a TCP port")
        .contains("timeScale: 0.0 must be > 0");
  }
}
