package org.ketenlink.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The published JSON Schemas in docs/schemas, for validating what the gateway produces. */
final class Schemas {

  static final Path DIR = Path.of("..", "docs", "schemas");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Schemas() {}

  static JsonSchema load(String name) {
    try (InputStream in = Files.newInputStream(DIR.resolve(name))) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final JsonSchema SAMPLE = load("sample.schema.json");
  static final JsonSchema STATUS = load("status.schema.json");
  static final JsonSchema SHARE = load("share.schema.json");
  static final JsonSchema REPLY = load("reply.schema.json");
  static final JsonSchema COMMAND = load("command.schema.json");
  static final JsonSchema ORDER = load("order.schema.json");
  static final JsonSchema STATE = load("state.schema.json");
  static final JsonSchema PRODUCTION = load("production.schema.json");
  static final JsonSchema PERFORMANCE = load("performance.schema.json");
  static final JsonSchema BATCH = load("batch.schema.json");

  /** The schema violations of {@code payload}; empty when it is valid. */
  static List<String> violations(JsonSchema schema, byte[] payload) {
    try {
      JsonNode node = JSON.readTree(payload);
      Set<ValidationMessage> errors = schema.validate(node);
      return errors.stream().map(ValidationMessage::getMessage).toList();
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
  }

  static JsonNode parse(byte[] payload) {
    try {
      return JSON.readTree(payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
