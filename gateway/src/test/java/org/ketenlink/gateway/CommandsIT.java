package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;
import picocli.CommandLine;

/** The command line against real peers: browse a real server, run the demo end to end. */
class CommandsIT {

  @TempDir Path dir;

  @Test
  void browseWritesASnippetThatTheConfigurationAccepts() throws Exception {
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      Path config = dir.resolve("ketenlink.yaml");
      GatewayConfig base =
          GatewayFixture.load(
              dir, GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals()));
      GatewayFixture.trustEachOther(sim, base);
      Path snippet = dir.resolve("snippet.yaml");
      KetenlinkCommandTest.Result r =
          KetenlinkCommandTest.run(
              "browse",
              sim.endpointUrl(),
              "--depth",
              "5",
              "--out",
              snippet.toString(),
              "-c",
              config.toString());
      assertThat(r.code()).as(r.err()).isZero();
      String text = Files.readString(snippet);
      assertThat(text)
          .contains(
              "- {name: spindleSpeed, nodeId: \"nsu=urn:ketenlink:simulator:fieldlab;s=line1/cnc1/Monitoring/SpindleSpeed\", unit: RPM}")
          .contains("# Double, line1/cnc1/Monitoring/SpindleSpeed");

      // The snippet drops into a source as it is.
      String indented = text.lines().map(l -> "    " + l).reduce("", (a, b) -> a + b + "\n");
      String yaml =
          """
          gateway: {id: gw, enterprise: e, site: s, area: a}
          sources:
            - id: m
              endpoint: "%s"
              line: line1
          %s
          links: [{id: l, broker: embedded}]
          """
              .formatted(sim.endpointUrl(), indented);
      GatewayConfig parsed = new ConfigLoader(n -> null).parse(yaml, "snippet", dir);
      assertThat(parsed.sources().get(0).signals()).hasSizeGreaterThan(40);
    }
  }

  @Test
  void theDemoRunsSimulatorBrokerAndGatewayAndDataArrivesWithinSeconds() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = KetenlinkCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> demo =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute(
                    "demo",
                    "--duration",
                    "20",
                    "--no-console",
                    "--time-scale",
                    "60",
                    "--work-dir",
                    dir.resolve("demo").toString()));
    Pattern broker = Pattern.compile("MQTT broker\\s+mqtt://127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Matcher m = broker.matcher("");
    while (!(m = broker.matcher(out.toString())).find()) {
      assertThat(System.nanoTime())
          .as("the demo's banner within 60 s:\n" + out)
          .isLessThan(deadline);
      assertThat(demo).as("the demo ended early:\n" + out).isNotDone();
      Thread.sleep(100);
    }
    assertThat(out.toString())
        .contains("mosquitto_sub -h 127.0.0.1 -p " + m.group(1))
        .contains("admin / status");
    // The line the demo prints works as printed (mosquitto_sub connects without a client id).
    Matcher printed = Pattern.compile("(mosquitto_sub [^\n]+)").matcher(out.toString());
    assertThat(printed.find()).isTrue();
    Process mosquittoSub =
        new ProcessBuilder("sh", "-c", printed.group(1) + " -C 1 -W 20")
            .redirectErrorStream(true)
            .start();
    assertThat(mosquittoSub.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String line = new String(mosquittoSub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(mosquittoSub.exitValue()).as(line).isZero();
    assertThat(line).startsWith("ketenlink/v1/acme/eindhoven/hall-2/");
    try (TestSubscriber sub =
        new TestSubscriber("tcp://127.0.0.1:" + m.group(1), "demo-it").subscribe("ketenlink/#")) {
      TestSubscriber.Received r =
          sub.await(
              Duration.ofSeconds(20),
              "demo data",
              x ->
                  x.topic().startsWith("ketenlink/v1/acme/eindhoven/hall-2/line1/")
                      && "ketenlink.sample/1".equals(x.userProperties().get("schema")));
      assertThat(Schemas.violations(Schemas.SAMPLE, r.payload())).isEmpty();
      sub.await(
          Duration.ofSeconds(20),
          "the gateway status",
          x -> x.topic().endsWith("/_gateway/fieldlab-gw-1/status"));
    }
    assertThat(demo.get(60, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString()).contains("Demo stopped after 20 s");
  }
}
