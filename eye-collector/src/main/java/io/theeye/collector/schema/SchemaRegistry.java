package io.theeye.collector.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The JSON Schemas of the known event types, compiled once at startup.
 *
 * <p>A schema file is a JSON Schema document (draft 2020-12 unless its {@code $schema} names another
 * draft) with a top-level member naming the type it validates:
 *
 * <pre>{@code
 * {
 *   "$schema": "https://json-schema.org/draft/2020-12/schema",
 *   "x-eye-event": {"category": "page interaction", "name": "pageview"},
 *   "type": "object",
 *   "required": ["host", "path"],
 *   "properties": {"host": {"type": "string"}, "path": {"type": "string"}}
 * }
 * }</pre>
 *
 * <p>Every {@code *.json} file of the directory is loaded (file names are free; other files and
 * sub-directories are ignored). A file that is not JSON, lacks a valid {@code x-eye-event}, is not a
 * valid schema of its draft, does not compile, or names a type another file already names, stops the
 * load with a {@link SchemaLoadException} naming the file.
 *
 * <pre>{@code
 * SchemaRegistry schemas = SchemaRegistry.load(Path.of("schemas"));
 * schemas.find("page interaction", "pageview").map(s -> s.validate(data));
 * }</pre>
 */
public final class SchemaRegistry {

  /** The member of a schema document naming its event type: {@value}. */
  public static final String TYPE_MEMBER = "x-eye-event";

  /** Where the bundled schemas live inside the collector's jar (copied from the repo's {@code schemas/}). */
  static final String BUNDLED_DIRECTORY = "eye-schemas";

  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();

  private final Map<EventType, EventSchema> byType;
  private final String origin;

  private SchemaRegistry(Map<EventType, EventSchema> byType, String origin) {
    this.byType = Collections.unmodifiableMap(byType);
    this.origin = origin;
  }

  /** A registry with no schema: every type is unknown. */
  public static SchemaRegistry empty() {
    return new SchemaRegistry(new LinkedHashMap<>(), "no schemas");
  }

  /**
   * Loads and compiles every {@code *.json} file of {@code directory}.
   *
   * @throws SchemaLoadException naming the first file that cannot be used, or when the directory does
   *     not exist
   */
  public static SchemaRegistry load(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new SchemaLoadException("schema directory " + directory + " does not exist or is not a directory");
    }
    return new SchemaRegistry(compileAll(list(directory)), directory.toString());
  }

  /**
   * The schemas shipped with the collector (the product brief's three example types), read from the
   * collector's own jar or classes directory.
   */
  public static SchemaRegistry bundled() {
    Path codeSource;
    try {
      codeSource = Path.of(SchemaRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new SchemaLoadException("cannot locate the collector's bundled schemas", e);
    }
    if (Files.isDirectory(codeSource)) {
      return new SchemaRegistry(compileAll(list(codeSource.resolve(BUNDLED_DIRECTORY))), "bundled defaults");
    }
    try (FileSystem jar = FileSystems.newFileSystem(codeSource)) {
      return new SchemaRegistry(compileAll(list(jar.getPath("/" + BUNDLED_DIRECTORY))), "bundled defaults");
    } catch (IOException e) {
      throw new SchemaLoadException("cannot read the bundled schemas from " + codeSource, e);
    }
  }

  private static List<Path> list(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new SchemaLoadException("schema directory " + directory + " does not exist");
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new SchemaLoadException("cannot list schema directory " + directory, e);
    }
  }

  private static Map<EventType, EventSchema> compileAll(List<Path> files) {
    Map<EventType, EventSchema> byType = new LinkedHashMap<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new SchemaLoadException("schema file " + file + ": cannot be read: " + e.getMessage(), e);
      }
      EventSchema schema = compile(file.toString(), text);
      EventSchema previous = byType.putIfAbsent(schema.type(), schema);
      if (previous != null) {
        throw new SchemaLoadException("schema file " + file + ": event type " + schema.type()
            + " already has a schema in " + previous.source() + "; keep one file per type");
      }
    }
    return byType;
  }

  /**
   * Compiles one schema document.
   *
   * @param source the file name, for messages
   * @param text the document
   * @throws SchemaLoadException naming {@code source}
   */
  static EventSchema compile(String source, String text) {
    JsonNode document;
    try {
      document = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SchemaLoadException("schema file " + source + ": not valid JSON: " + e.getOriginalMessage());
    }
    if (document == null || !document.isObject()) {
      throw new SchemaLoadException("schema file " + source + ": a schema file must hold a JSON object");
    }
    EventType type = typeOf(source, document);

    VersionFlag version;
    try {
      version = document.has("$schema")
          ? SpecVersionDetector.detectOptionalVersion(document, false).orElseThrow(
              () -> new SchemaLoadException("schema file " + source + ": unsupported $schema "
                  + document.get("$schema")))
          : VersionFlag.V202012;
    } catch (SchemaLoadException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SchemaLoadException("schema file " + source + ": unsupported $schema: " + e.getMessage(), e);
    }
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(version);

    // The document must first be a valid schema of its draft: the validator alone would quietly
    // accept nonsense such as {"type": 12} and fail every event at runtime instead.
    ObjectNode body = ((ObjectNode) document).deepCopy();
    body.remove(TYPE_MEMBER);
    JsonSchema meta = factory.getSchema(SchemaLocation.of(version.getId()), CONFIG);
    Set<ValidationMessage> problems = meta.validate(body);
    if (!problems.isEmpty()) {
      throw new SchemaLoadException("schema file " + source + ": not a valid JSON Schema ("
          + version.getId() + "): " + problems.stream().map(ValidationMessage::getMessage).sorted()
              .collect(Collectors.joining("; ")));
    }
    try {
      JsonSchema schema = factory.getSchema(body, CONFIG);
      schema.initializeValidators();
      return new EventSchema(type, source, schema);
    } catch (RuntimeException e) {
      throw new SchemaLoadException("schema file " + source + ": does not compile: " + e.getMessage(), e);
    }
  }

  private static EventType typeOf(String source, JsonNode document) {
    JsonNode member = document.get(TYPE_MEMBER);
    if (member == null || !member.isObject()) {
      throw new SchemaLoadException("schema file " + source + ": missing the top-level member \"" + TYPE_MEMBER
          + "\": {\"category\": \"...\", \"name\": \"...\"}");
    }
    return new EventType(typeField(source, member, "category"), typeField(source, member, "name"));
  }

  private static String typeField(String source, JsonNode member, String field) {
    JsonNode value = member.get(field);
    if (value == null || !value.isTextual() || value.textValue().isEmpty()
        || value.textValue().codePointCount(0, value.textValue().length()) > 128) {
      throw new SchemaLoadException("schema file " + source + ": \"" + TYPE_MEMBER + "\"." + field
          + " must be a string of 1-128 characters");
    }
    return value.textValue();
  }

  /** The schema of {@code (category, name)}, if one is registered. */
  public Optional<EventSchema> find(String category, String name) {
    return Optional.ofNullable(byType.get(new EventType(category, name)));
  }

  /** Every registered type, in load order. */
  public List<EventType> types() {
    return new ArrayList<>(byType.keySet());
  }

  /** The number of registered types. */
  public int size() {
    return byType.size();
  }

  /** Where the schemas came from: a directory, {@code bundled defaults}, or {@code no schemas}. */
  public String origin() {
    return origin;
  }

  @Override
  public String toString() {
    return "SchemaRegistry[" + byType.size() + " from " + origin + "]";
  }
}
