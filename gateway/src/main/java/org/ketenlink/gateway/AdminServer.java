package org.ketenlink.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: health, readiness, Prometheus metrics, a JSON status and a small status
 * page. Read-only, GET only, no authentication, so it binds loopback by default.
 *
 * <p>Routes: {@code GET /health}, {@code /ready}, {@code /metrics}, {@code /api/status} and {@code
 * /} (the page). Unknown paths get 404, other methods on known paths 405. Requests are limited to
 * {@value #MAX_REQUEST_BYTES} bytes; idle connections are closed after {@value #IDLE_SECONDS} s.
 *
 * <p>The server owns one Netty event loop thread, {@code ketenlink-admin}, which accepts
 * connections, parses requests and calls the {@link AdminEndpoints}. {@link #start} and {@link
 * #close} block and must not be called on that thread.
 */
final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  static final int MAX_REQUEST_BYTES = 8 * 1024;
  static final int IDLE_SECONDS = 60;
  static final String THREAD_NAME = "ketenlink-admin";
  static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final EventLoopGroup group;
  private final Channel channel;
  private final int port;
  private final String url;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdminServer(EventLoopGroup group, Channel channel, int port, String url) {
    this.group = group;
    this.channel = channel;
    this.port = port;
    this.url = url;
  }

  /**
   * Binds the server and returns once it accepts connections.
   *
   * @param port the port; 0 picks a free one
   * @throws IllegalArgumentException if the address cannot be resolved or the port is out of range
   * @throws IllegalStateException if the address and port cannot be bound
   */
  static AdminServer start(String bindAddress, int port, AdminEndpoints endpoints) {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(endpoints, "endpoints");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("admin port " + port + " is not in 0..65535");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bindAddress);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "admin bind address " + bindAddress + " cannot be resolved", e);
    }

    ThreadFactory threads =
        task -> {
          Thread thread = new FastThreadLocalThread(task, THREAD_NAME);
          // A read-only admin API must never be what keeps a stopping gateway's JVM alive.
          thread.setDaemon(true);
          return thread;
        };
    EventLoopGroup group = new NioEventLoopGroup(1, threads);
    Routes routes = new Routes(endpoints);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new ReadTimeoutHandler(IDLE_SECONDS))
                        .addLast(new HttpServerCodec(4096, 8192, 8192))
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast(routes);
                  }
                });
    Channel channel;
    try {
      channel = bootstrap.bind(new InetSocketAddress(address, port)).sync().channel();
    } catch (Exception e) { // sync() rethrows the bind failure, checked or not
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "admin server cannot listen on " + hostPort(bindAddress, port) + ": " + e.getMessage(),
          e);
    }
    int bound = ((InetSocketAddress) channel.localAddress()).getPort();
    String host =
        address.isAnyLocalAddress()
            ? (address instanceof Inet6Address ? "::1" : "127.0.0.1")
            : address.getHostAddress();
    AdminServer server = new AdminServer(group, channel, bound, "http://" + hostPort(host, bound));
    if (address.isLoopbackAddress()) {
      log.info("admin server on {}", server.url);
    } else {
      log.warn(
          "admin server on {} is reachable from the network and has no authentication: anyone who"
              + " can reach it can read the gateway's status and metrics",
          hostPort(bindAddress, bound));
    }
    return server;
  }

  int port() {
    return port;
  }

  /** {@code http://host:port}, with loopback when bound to all addresses; no trailing slash. */
  String url() {
    return url;
  }

  /** Stops accepting, closes open connections and stops the event loop thread. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Override
  public String toString() {
    return "AdminServer[" + url + "]";
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** Answers every request on the event loop; shared by all connections. */
  @ChannelHandler.Sharable
  private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String APPLICATION_JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";

    private final AdminEndpoints endpoints;
    private final ObjectMapper json = statusMapper();
    private final AtomicBoolean warnedAboutFailure = new AtomicBoolean();

    Routes(AdminEndpoints endpoints) {
      this.endpoints = endpoints;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse response;
      if (!request.decoderResult().isSuccess()) {
        response = respond(HttpResponseStatus.BAD_REQUEST, TEXT, bytes("bad request\n"));
        HttpUtil.setKeepAlive(response, false);
      } else {
        response = route(request);
      }
      ctx.writeAndFlush(response);
    }

    private FullHttpResponse route(FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      boolean known =
          switch (path) {
            case "/", "/health", "/ready", "/metrics", "/api/status", "/api/audit" -> true;
            default -> false;
          };
      if (!known) {
        return respond(HttpResponseStatus.NOT_FOUND, TEXT, bytes("not found\n"));
      }
      if (!HttpMethod.GET.equals(request.method())) {
        FullHttpResponse response =
            respond(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, bytes("only GET is allowed\n"));
        response.headers().set(HttpHeaderNames.ALLOW, "GET");
        return response;
      }
      try {
        return switch (path) {
          case "/health" -> health(endpoints.health());
          case "/ready" -> health(endpoints.readiness());
          case "/metrics" ->
              respond(
                  HttpResponseStatus.OK,
                  PROMETHEUS_CONTENT_TYPE,
                  bytes(endpoints.prometheusScrape()));
          case "/api/audit" -> {
            AdminEndpoints.Document d =
                endpoints.audit(new QueryStringDecoder(request.uri()).parameters());
            yield respond(HttpResponseStatus.OK, d.contentType(), d.body());
          }
          case "/api/status" ->
              respond(
                  HttpResponseStatus.OK,
                  APPLICATION_JSON,
                  json.writeValueAsBytes(endpoints.status()));
          default -> page();
        };
      } catch (Exception e) {
        // A broken endpoint is polled every few seconds; one warning is enough.
        if (warnedAboutFailure.compareAndSet(false, true)) {
          log.warn("admin endpoint {} failed; further failures are logged at debug", path, e);
        } else {
          log.debug("admin endpoint {} failed", path, e);
        }
        return respond(
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            APPLICATION_JSON,
            bytes("{\"error\":\"internal error, see the gateway log\"}"));
      }
    }

    private FullHttpResponse health(Health health) throws Exception {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", health.up() ? "UP" : "DOWN");
      body.put("details", health.details());
      return respond(
          health.up() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
          APPLICATION_JSON,
          json.writeValueAsBytes(body));
    }

    private static FullHttpResponse page() {
      FullHttpResponse response =
          respond(HttpResponseStatus.OK, HTML, StatusPage.HTML.getBytes(StandardCharsets.UTF_8));
      response
          .headers()
          .set("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY)
          .set("X-Frame-Options", "DENY")
          .set("Referrer-Policy", "no-referrer");
      return response;
    }

    private static FullHttpResponse respond(
        HttpResponseStatus status, String contentType, byte[] body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, contentType)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
          .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
          .set("X-Content-Type-Options", "nosniff");
      return response;
    }

    private static byte[] bytes(String text) {
      return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!(cause instanceof ReadTimeoutException)) {
        log.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
      }
      ctx.close();
    }
  }

  /**
   * Jackson for the admin API. The gateway's status records hold {@code Instant}s and {@code
   * Optional}s, which plain jackson-databind refuses without the jsr310 and jdk8 modules; rather
   * than two more dependencies, they are written here: java.time values as ISO-8601 strings, an
   * empty {@code Optional} as null and a present one as its value.
   */
  static ObjectMapper statusMapper() {
    SimpleModule javaTypes = new SimpleModule("ketenlink-admin-json");
    for (Class<?> type :
        List.of(
            Instant.class,
            Duration.class,
            LocalDate.class,
            LocalDateTime.class,
            LocalTime.class,
            OffsetDateTime.class,
            ZonedDateTime.class)) {
      javaTypes.addSerializer(type, ToStringSerializer.instance);
    }
    javaTypes.addSerializer(new OptionalSerializer());
    return JsonMapper.builder().addModule(javaTypes).build();
  }

  /** An empty {@code Optional} as null, a present one as its value. */
  private static final class OptionalSerializer extends StdSerializer<Optional<?>> {
    @SuppressWarnings("unchecked")
    OptionalSerializer() {
      super((Class<Optional<?>>) (Class<?>) Optional.class);
    }

    @Override
    public void serialize(Optional<?> value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (value.isPresent()) {
        provider.defaultSerializeValue(value.get(), gen);
      } else {
        gen.writeNull();
      }
    }
  }

  /**
   * The status page: static HTML that fetches {@code api/status} every 2 s and renders it with
   * {@code textContent} only, so nothing from the status can become markup. The server never
   * interpolates anything into it; the Content-Security-Policy allows exactly its own script and
   * style, by hash.
   */
  static final class StatusPage {

    static final String STYLE =
        """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2327;background:#f4f5f7}
        header{display:flex;gap:1em;align-items:center;padding:.8em 1.2em;background:#14365d;color:#fff}
        h1{font-size:1.2em;margin:0}
        main{padding:1em 1.2em}
        h2{font-size:1em;margin:1.2em 0 .4em}
        table{border-collapse:collapse;background:#fff;min-width:20em}
        th,td{border:1px solid #d0d4da;padding:.25em .6em;text-align:left;vertical-align:top}
        th{background:#e8ebef;font-weight:600}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        .pill{border-radius:1em;padding:.1em .7em;background:#6b7785;font-size:.9em}
        .good{background:#d6f5dd}.warn{background:#fff1c2}.bad{background:#fbd5d5}
        .pill.good{background:#1f8a3b}.pill.bad{background:#b3261e}
        footer{padding:1em 1.2em;color:#5b6670;font-size:.9em}
        """;

    static final String SCRIPT =
        """
        'use strict';
        (function () {
          var content = document.getElementById('content');
          var live = document.getElementById('live');
          var GOOD = ['UP', 'READY', 'CONNECTED', 'GOOD', 'OK', 'RUNNING', 'TRUE'];
          var WARN = ['CONNECTING', 'RECONNECTING', 'UNCERTAIN', 'DEGRADED', 'STARTING'];
          var BAD = ['DOWN', 'DISCONNECTED', 'BAD', 'FAILED', 'ERROR', 'STOPPED', 'FALSE'];
          function el(tag, text, cls) {
            var e = document.createElement(tag);
            if (text !== undefined) { e.textContent = text; }
            if (cls) { e.className = cls; }
            return e;
          }
          function show(v) {
            if (v === null || v === undefined) { return ''; }
            if (typeof v === 'object') { return JSON.stringify(v); }
            return String(v);
          }
          function tone(v) {
            var s = show(v).toUpperCase();
            if (GOOD.indexOf(s) >= 0) { return 'good'; }
            if (WARN.indexOf(s) >= 0) { return 'warn'; }
            if (BAD.indexOf(s) >= 0) { return 'bad'; }
            return typeof v === 'number' ? 'num' : '';
          }
          function title(key) {
            var t = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
            return t.charAt(0).toUpperCase() + t.slice(1);
          }
          function cell(v) { return el('td', show(v), tone(v)); }
          function section(name, table) {
            var s = el('section');
            s.appendChild(el('h2', name));
            s.appendChild(table);
            return s;
          }
          function pairs(obj) {
            var table = el('table');
            Object.keys(obj).forEach(function (k) {
              var tr = el('tr');
              tr.appendChild(el('th', title(k)));
              tr.appendChild(cell(obj[k]));
              table.appendChild(tr);
            });
            return table;
          }
          function rows(list) {
            var columns = [];
            list.forEach(function (row) {
              Object.keys(row).forEach(function (k) {
                if (columns.indexOf(k) < 0) { columns.push(k); }
              });
            });
            var table = el('table');
            var head = el('tr');
            columns.forEach(function (k) { head.appendChild(el('th', title(k))); });
            table.appendChild(head);
            list.forEach(function (row) {
              var tr = el('tr');
              columns.forEach(function (k) { tr.appendChild(cell(row[k])); });
              table.appendChild(tr);
            });
            return table;
          }
          function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
          function render(status) {
            var out = document.createDocumentFragment();
            if (!isObject(status)) {
              out.appendChild(section('Status', pairs({ value: status })));
              return out;
            }
            var summary = {};
            var tables = [];
            Object.keys(status).forEach(function (k) {
              var v = status[k];
              if (Array.isArray(v) && v.length > 0 && v.every(isObject)) {
                tables.push(section(title(k), rows(v)));
              } else if (isObject(v)) {
                tables.push(section(title(k), pairs(v)));
              } else {
                summary[k] = v;
              }
            });
            if (Object.keys(summary).length > 0) {
              out.appendChild(section('Gateway', pairs(summary)));
            }
            tables.forEach(function (t) { out.appendChild(t); });
            return out;
          }
          function refresh() {
            fetch('api/status', { cache: 'no-store' })
              .then(function (r) {
                if (!r.ok) { throw new Error('HTTP ' + r.status); }
                return r.json();
              })
              .then(function (status) {
                var view = render(status);
                while (content.firstChild) { content.removeChild(content.firstChild); }
                content.appendChild(view);
                live.textContent = 'live ' + new Date().toLocaleTimeString();
                live.className = 'pill good';
              })
              .catch(function (e) {
                live.textContent = 'no answer: ' + e.message;
                live.className = 'pill bad';
              })
              .then(function () { setTimeout(refresh, 2000); });
          }
          refresh();
        })();
        """;

    static final String HTML =
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Ketenlink gateway</title>
        <style>{{STYLE}}</style>
        </head>
        <body>
        <header><h1>Ketenlink gateway</h1><span id="live" class="pill">loading</span></header>
        <main id="content"></main>
        <footer>Refreshed every 2 s from <a href="api/status">api/status</a>.
        Also: <a href="health">health</a>, <a href="ready">ready</a>, <a href="metrics">metrics</a>.</footer>
        <script>{{SCRIPT}}</script>
        </body>
        </html>
        """
            .replace("{{STYLE}}", STYLE)
            .replace("{{SCRIPT}}", SCRIPT);

    static final String CONTENT_SECURITY_POLICY =
        "default-src 'none'; script-src '"
            + sha256(SCRIPT)
            + "'; style-src '"
            + sha256(STYLE)
            + "'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private StatusPage() {}

    private static String sha256(String text) {
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return "sha256-" + Base64.getEncoder().encodeToString(digest);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }
  }
}
