package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KetenlinkCommandTest {

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = KetenlinkCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void checkAcceptsTheDocumentedExample() {
    Result r = run("check", "-c", Path.of("..", "docs", "examples", "ketenlink.yaml").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("is valid: gateway fieldlab-gw-1, 3 sources, 29 signals, 1 links");
  }

  @Test
  void anInvalidConfigurationIsRefusedWithExitCode2AndEveryProblemListed() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        gateway: {id: gw, enterprise: e, site: s, area: a}
        sources:
          - {id: m1, endpoint: "http://x", line: l1, signals: [{name: s, nodeId: "i=1", qos: 5}]}
        links: [{id: l, broker: "ftp://x"}]
        """);
    for (String command : new String[] {"check", "run"}) {
      Result r = run(command, "-c", bad.toString());
      assertThat(r.code()).as(command).isEqualTo(2);
      assertThat(r.err())
          .contains("has 3 problems")
          .contains("sources[0].endpoint: must start with opc.tcp://")
          .contains("sources[0].signals[0].qos: 5 is out of range [0, 1]")
          .contains("links[0].broker: 'ftp://x' must be embedded");
    }
  }

  @Test
  void aMissingFileIsAClearError() {
    Result r = run("check", "-c", dir.resolve("nope.yaml").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("nope.yaml").contains("cannot read the file");
  }

  @Test
  void versionAndHelpWork() {
    assertThat(run("version").out()).startsWith("ketenlink ");
    Result help = run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("run", "demo", "check", "browse", "trust", "version");
  }
}
