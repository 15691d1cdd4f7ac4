package io.theeye.collector.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * One event type's compiled JSON Schema. Thread-safe: validation runs concurrently on the HTTP worker
 * threads.
 */
public final class EventSchema {

  private final EventType type;
  private final String source;
  private final JsonSchema schema;

  EventSchema(EventType type, String source, JsonSchema schema) {
    this.type = type;
    this.source = source;
    this.schema = schema;
  }

  /** The type this schema validates. */
  public EventType type() {
    return type;
  }

  /** Where the schema came from (a file path or a bundled resource name). */
  public String source() {
    return source;
  }

  /** The schema document as loaded (without its {@code x-eye-event} member). */
  public JsonNode document() {
    return schema.getSchemaNode();
  }

  /**
   * Validates one event's {@code data}.
   *
   * @return one line per violation, {@code <JSON pointer>: <rule>: <message>}, sorted by pointer; empty
   *     when the payload is valid. A missing required property is reported at the pointer it should have
   *     had, e.g. {@code /path: required: required property 'path' not found}.
   */
  public List<String> validate(JsonNode data) {
    Set<ValidationMessage> messages = schema.validate(data);
    if (messages.isEmpty()) {
      return List.of();
    }
    List<String> lines = new ArrayList<>(messages.size());
    for (ValidationMessage m : messages) {
      String pointer = m.getInstanceLocation().toString();
      if ("required".equals(m.getType()) && m.getProperty() != null) {
        pointer = pointer + "/" + escape(m.getProperty());
      }
      lines.add((pointer.isEmpty() ? "(root)" : pointer) + ": " + m.getType() + ": " + m.getError());
    }
    lines.sort(Comparator.naturalOrder());
    return lines;
  }

  /** RFC 6901 escaping of one reference token. */
  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  @Override
  public String toString() {
    return "EventSchema[" + type + " from " + source + "]";
  }
}
