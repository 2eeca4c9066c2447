package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AdminServerIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static final FakeEndpoints endpoints = new FakeEndpoints();
  private static AdminServer server;

  @BeforeAll
  static void start() {
    server = AdminServer.start("127.0.0.1", 0, endpoints);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void reset() {
    endpoints.reset();
  }

  @Test
  void health_answers_200_with_status_up_and_the_details() throws Exception {
    endpoints.health = () -> Health.up(Map.of("uptimeSeconds", 12));

    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(contentType(response)).isEqualTo("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("UP");
    assertThat(body.path("details").path("uptimeSeconds").asInt()).isEqualTo(12);
  }

  @Test
  void health_answers_503_with_status_down_when_the_gateway_is_down() throws Exception {
    endpoints.health = () -> Health.down(Map.of("reason", "journal disk full"));

    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("DOWN");
    assertThat(body.path("details").path("reason").asText()).isEqualTo("journal disk full");
  }

  @Test
  void ready_answers_200_when_sources_and_links_are_up() throws Exception {
    endpoints.readiness = () -> Health.up(Map.of("sources", "2/2", "links", "1/1"));

    HttpResponse<String> response = get("/ready");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("status").asText()).isEqualTo("UP");
  }

  @Test
  void ready_answers_503_with_details_when_not_ready() throws Exception {
    endpoints.readiness =
        () -> Health.down(Map.of("sources", Map.of("cnc1", "RECONNECTING"), "links", "1/1"));

    HttpResponse<String> response = get("/ready");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(contentType(response)).isEqualTo("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("DOWN");
    assertThat(body.path("details").path("sources").path("cnc1").asText())
        .isEqualTo("RECONNECTING");
  }

  @Test
  void metrics_serves_the_prometheus_scrape_in_text_format_0_0_4() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("ketenlink.samples.received")
        .tag("source", "cnc1")
        .register(registry)
        .increment(3);
    endpoints.scrape = registry::scrape;

    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("# TYPE ketenlink_samples_received_total counter")
        .contains("ketenlink_samples_received_total{source=\"cnc1\"} 3.0");
  }

  @Test
  void api_status_serialises_the_status_object_as_json() throws Exception {
    endpoints.status =
        () ->
            new TestStatus(
                "gw-1",
                List.of(new TestSource("cnc1", "CONNECTED", 1200)),
                List.of(Map.of("id", "main", "state", "CONNECTED")),
                Map.of("published", 42L));

    HttpResponse<String> response = get("/api/status");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(contentType(response)).isEqualTo("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("gatewayId").asText()).isEqualTo("gw-1");
    assertThat(body.path("sources").get(0).path("samplesPerSecond").asInt()).isEqualTo(1200);
    assertThat(body.path("links").get(0).path("state").asText()).isEqualTo("CONNECTED");
    assertThat(body.path("counters").path("published").asLong()).isEqualTo(42);
  }

  @Test
  void api_status_writes_instants_as_iso_8601_and_optionals_as_value_or_null() throws Exception {
    endpoints.status =
        () ->
            new TimedStatus(
                Instant.parse("2026-11-21T08:15:30.125Z"),
                Optional.empty(),
                Optional.of("mqtt://127.0.0.1:1883"));

    HttpResponse<String> response = get("/api/status");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("startedAt").asText()).isEqualTo("2026-11-21T08:15:30.125Z");
    assertThat(body.path("lastError").isNull()).isTrue();
    assertThat(body.path("broker").asText()).isEqualTo("mqtt://127.0.0.1:1883");
  }

  @Test
  void the_status_page_is_self_contained_html_that_never_carries_status_content() throws Exception {
    endpoints.status =
        () -> Map.of("gatewayId", "<script>alert('owned')</script>", "note", "<img src=x>");

    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    String html = page.body();
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<title>Ketenlink gateway</title>")
        .contains("fetch('api/status'")
        .contains("setTimeout(refresh, 2000)")
        .doesNotContain("alert('owned')")
        .doesNotContain("<img src=x>");
    // Rendered only through textContent, never parsed as markup.
    assertThat(html).contains("textContent").doesNotContain("innerHTML").doesNotContain("eval(");
    // No external assets: nothing loaded from another origin.
    assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");
    assertThat(countOf(html, "<script>")).isEqualTo(1);

    // The same hostile strings travel only as JSON data.
    String json = get("/api/status").body();
    assertThat(JSON.readTree(json).path("gatewayId").asText())
        .isEqualTo("<script>alert('owned')</script>");
  }

  @Test
  void the_status_page_policy_allows_exactly_its_own_inline_script_and_style() throws Exception {
    HttpResponse<String> page = get("/");

    String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(policy)
        .contains("default-src 'none'")
        .contains("connect-src 'self'")
        .contains("script-src '" + sha256(between(page.body(), "<script>", "</script>")) + "'")
        .contains("style-src '" + sha256(between(page.body(), "<style>", "</style>")) + "'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void unknown_paths_answer_404() throws Exception {
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    assertThat(get("/health/extra").statusCode()).isEqualTo(404);
    assertThat(get("/../etc/passwd").statusCode()).isEqualTo(404);
    assertThat(get("/index.html").statusCode()).isEqualTo(404);
  }

  @Test
  void other_methods_than_get_answer_405_with_allow_get() throws Exception {
    HttpResponse<String> post =
        HTTP.send(
            request("/health").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> delete =
        HTTP.send(request("/metrics").DELETE().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(delete.statusCode()).isEqualTo(405);
    assertThat(endpoints.calls).isEmpty();
  }

  @Test
  void a_request_larger_than_the_limit_is_refused_with_413() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/status HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                  + (AdminServer.MAX_REQUEST_BYTES * 8)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));

      assertThat(in.readLine()).startsWith("HTTP/1.1 413");
    }
  }

  @Test
  void a_failing_endpoint_answers_500_and_the_server_keeps_serving() throws Exception {
    endpoints.status =
        () -> {
          throw new IllegalStateException("bug");
        };

    HttpResponse<String> failed = get("/api/status");
    HttpResponse<String> health = get("/health");

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.body()).doesNotContain("bug");
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void endpoints_are_called_on_the_admin_event_loop_thread() throws Exception {
    get("/health");
    get("/ready");
    get("/metrics");
    get("/api/status");

    assertThat(endpoints.calls)
        .containsOnlyKeys("health", "readiness", "prometheusScrape", "status")
        .allSatisfy((call, thread) -> assertThat(thread).isEqualTo("ketenlink-admin"));
  }

  @Test
  void url_names_the_loopback_address_and_the_bound_port() {
    assertThat(server.port()).isPositive();
    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
  }

  @Test
  void closing_stops_listening_and_ends_the_event_loop_thread() throws Exception {
    AdminServer own = AdminServer.start("127.0.0.1", 0, new FakeEndpoints());
    int port = own.port();
    assertThat(get(own, "/health").statusCode()).isEqualTo(200);

    own.close();

    assertThatThrownBy(
            () -> {
              try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
              }
            })
        .isInstanceOf(ConnectException.class);
    own.close(); // idempotent
  }

  @Test
  void a_port_in_use_is_refused_with_a_clear_message() {
    assertThatThrownBy(() -> AdminServer.start("127.0.0.1", server.port(), new FakeEndpoints()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("admin server cannot listen on 127.0.0.1:" + server.port());
  }

  @Test
  void binding_beyond_loopback_is_allowed_but_warns_that_there_is_no_authentication()
      throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(AdminServer.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try (AdminServer open = AdminServer.start("0.0.0.0", 0, new FakeEndpoints())) {
      assertThat(open.url()).isEqualTo("http://127.0.0.1:" + open.port());
      assertThat(get(open, "/health").statusCode()).isEqualTo(200);
    } finally {
      log.detachAppender(events);
    }

    assertThat(events.list)
        .anySatisfy(
            event -> {
              assertThat(event.getLevel()).isEqualTo(Level.WARN);
              assertThat(event.getFormattedMessage()).contains("no authentication");
            });
  }

  private record TimedStatus(
      Instant startedAt, Optional<String> lastError, Optional<String> broker) {}

  private record TestSource(String id, String state, int samplesPerSecond) {}

  private record TestStatus(
      String gatewayId,
      List<TestSource> sources,
      List<Map<String, Object>> links,
      Map<String, Long> counters) {}

  /** Endpoints whose answers each test sets; records which thread called them. */
  private static final class FakeEndpoints implements AdminEndpoints {
    volatile Supplier<Health> health;
    volatile Supplier<Health> readiness;
    volatile Supplier<String> scrape;
    volatile Supplier<Object> status;
    final Map<String, String> calls = new ConcurrentHashMap<>();

    FakeEndpoints() {
      reset();
    }

    void reset() {
      health = () -> Health.up(Map.of());
      readiness = () -> Health.up(Map.of());
      scrape = () -> "";
      status = () -> Map.of();
      calls.clear();
    }

    @Override
    public Health health() {
      calls.put("health", Thread.currentThread().getName());
      return health.get();
    }

    @Override
    public Health readiness() {
      calls.put("readiness", Thread.currentThread().getName());
      return readiness.get();
    }

    @Override
    public String prometheusScrape() {
      calls.put("prometheusScrape", Thread.currentThread().getName());
      return scrape.get();
    }

    @Override
    public Document audit(Map<String, java.util.List<String>> query) {
      calls.put("audit", String.valueOf(query));
      return new Document("text/csv; charset=utf-8", "time,type\n".getBytes());
    }

    @Override
    public Object status() {
      calls.put("status", Thread.currentThread().getName());
      return status.get();
    }
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(server, path);
  }

  private static HttpResponse<String> get(AdminServer target, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(target.url() + path))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(5));
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  private static int countOf(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }

  private static String between(String text, String open, String close) {
    Matcher m =
        Pattern.compile(Pattern.quote(open) + "(.*?)" + Pattern.quote(close), Pattern.DOTALL)
            .matcher(text);
    assertThat(m.find()).as("%s...%s in the page", open, close).isTrue();
    return m.group(1);
  }

  private static String sha256(String text) throws Exception {
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    return "sha256-" + Base64.getEncoder().encodeToString(digest);
  }
}
