package io.theeye.collector.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryTest {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private static EventSchema compile(String text) {
    return SchemaRegistry.compile("test.json", text);
  }

  @Test
  void bundledSchemasAreTheRepositorysSchemasDirectory() throws Exception {
    SchemaRegistry bundled = SchemaRegistry.bundled();
    assertThat(bundled.types()).extracting(EventType::toString).containsExactlyInAnyOrder(
        "page interaction/pageview", "page interaction/cta click", "form interaction/submit");
    Path repoSchemas = Path.of("..", "schemas");
    try (Stream<Path> files = Files.list(repoSchemas)) {
      assertThat(files.filter(p -> p.toString().endsWith(".json")).count()).isEqualTo(bundled.size());
    }
    assertThat(SchemaRegistry.load(repoSchemas).types()).containsExactlyInAnyOrderElementsOf(bundled.types());
  }

  @Test
  void extraPropertiesAreAllowedByTheBundledSchemas() throws Exception {
    EventSchema pageview = SchemaRegistry.bundled().find("page interaction", "pageview").orElseThrow();
    assertThat(pageview.validate(JSON_MAPPER.readTree("{\"host\":\"h\",\"path\":\"/\",\"referrer\":\"x\"}"))).isEmpty();
  }

  @Test
  void violationsNameThePointerAndTheRule() throws Exception {
    EventSchema s = compile("""
        {"x-eye-event": {"category": "c", "name": "n"}, "type": "object", "required": ["host", "path"],
         "properties": {"host": {"type": "string"}, "form": {"type": "object", "required": ["a/b"]}}}""");
    assertThat(s.validate(JSON_MAPPER.readTree("{\"host\":5,\"form\":{}}"))).containsExactly(
        "/form/a~1b: required: required property 'a/b' not found",
        "/host: type: integer found, string expected",
        "/path: required: required property 'path' not found");
  }

  @Test
  void schemaWithoutTheTypeMemberIsRefused() {
    assertThatThrownBy(() -> compile("{\"type\":\"object\"}"))
        .isInstanceOf(SchemaLoadException.class).hasMessageContaining("test.json").hasMessageContaining("x-eye-event");
    assertThatThrownBy(() -> compile("{\"x-eye-event\":{\"category\":\"c\"}}"))
        .hasMessageContaining("x-eye-event\".name");
  }

  @Test
  void invalidJsonIsRefused() {
    assertThatThrownBy(() -> compile("{nope")).hasMessageContaining("test.json").hasMessageContaining("not valid JSON");
  }

  @Test
  void schemaInvalidForItsDraftIsRefused() {
    assertThatThrownBy(() -> compile("{\"x-eye-event\":{\"category\":\"c\",\"name\":\"n\"},\"required\":\"host\"}"))
        .hasMessageContaining("test.json").hasMessageContaining("/required");
  }

  @Test
  void unresolvableReferenceIsRefused() {
    assertThatThrownBy(() -> compile("{\"x-eye-event\":{\"category\":\"c\",\"name\":\"n\"},\"$ref\":\"#/$defs/missing\"}"))
        .hasMessageContaining("test.json").hasMessageContaining("does not compile");
  }

  @Test
  void olderDraftNamedBySchemaIsUsed() throws Exception {
    EventSchema s = compile("""
        {"$schema": "http://json-schema.org/draft-07/schema#", "x-eye-event": {"category": "c", "name": "n"},
         "type": "object", "dependencies": {"a": ["b"]}}""");
    assertThat(s.validate(JSON_MAPPER.readTree("{\"a\":1}"))).hasSize(1);
    assertThatThrownBy(() -> compile("{\"$schema\":\"http://example.com/mine\",\"x-eye-event\":{\"category\":\"c\",\"name\":\"n\"}}"))
        .hasMessageContaining("unsupported $schema");
  }

  @Test
  void twoFilesForOneTypeAreRefusedNamingBoth() throws Exception {
    Files.writeString(dir.resolve("1.json"), "{\"x-eye-event\":{\"category\":\"c\",\"name\":\"n\"}}");
    Files.writeString(dir.resolve("2.json"), "{\"x-eye-event\":{\"category\":\"c\",\"name\":\"n\"}}");
    Files.writeString(dir.resolve("notes.txt"), "ignored");
    assertThatThrownBy(() -> SchemaRegistry.load(dir))
        .hasMessageContaining("2.json").hasMessageContaining("1.json").hasMessageContaining("c/n");
  }

  @Test
  void missingDirectoryIsRefused() {
    assertThatThrownBy(() -> SchemaRegistry.load(dir.resolve("absent"))).hasMessageContaining("absent");
  }
}
