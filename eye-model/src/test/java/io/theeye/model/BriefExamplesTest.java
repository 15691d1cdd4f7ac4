package io.theeye.model;

import static org.assertj.core.api.Assertions.assertThat;

import static io.theeye.testsupport.BriefExamples.CTA_CLICK;
import static io.theeye.testsupport.BriefExamples.PAGEVIEW;
import static io.theeye.testsupport.BriefExamples.SUBMIT;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The product brief's three example events ({@code BriefExamples}, copied literally, trailing commas included). */
class BriefExamplesTest {

  private final EventReader codec = EventReader.withDefaults();

  @Test
  void eachExampleParsesAsASingleValidEvent() throws Exception {
    Event pageview = single(PAGEVIEW);
    assertThat(pageview.sessionId()).isEqualTo("e2085be5-9137-4e4e-80b5-f1ffddc25423");
    assertThat(pageview.category()).isEqualTo("page interaction");
    assertThat(pageview.name()).isEqualTo("pageview");
    assertThat(pageview.data().get("host").asText()).isEqualTo("www.ca.com");
    assertThat(pageview.data().get("path").asText()).isEqualTo("/");
    assertThat(Timestamps.format(pageview.timestamp())).isEqualTo("2021-01-01 09:15:27.243860");
    assertThat(pageview.eventId()).isNull();
    assertThat(pageview.seq()).isNull();

    Event click = single(CTA_CLICK);
    assertThat(click.category()).isEqualTo("page interaction");
    assertThat(click.name()).isEqualTo("cta click");
    assertThat(click.data().get("element").asText()).isEqualTo("chat bubble");
    assertThat(click.timestamp()).isEqualTo(pageview.timestamp());

    Event submit = single(SUBMIT);
    assertThat(submit.category()).isEqualTo("form interaction");
    assertThat(submit.name()).isEqualTo("submit");
    assertThat(submit.data().get("form").get("first_name").asText()).isEqualTo("John");
    assertThat(submit.data().get("form").get("last_name").asText()).isEqualTo("Doe");
    assertThat(submit.timestamp()).isEqualTo(pageview.timestamp());
  }

  @Test
  void theThreeExamplesParseAsAnArrayAndAsAnEnvelopeInOrder() throws Exception {
    String array = "[" + PAGEVIEW + "," + CTA_CLICK + "," + SUBMIT + ",]";
    String envelope = "{\"sent_at\": \"2021-01-01T09:15:28Z\", \"events\": " + array + "}";
    for (String body : List.of(array, envelope)) {
      ParsedBatch batch = codec.parse(body.getBytes(StandardCharsets.UTF_8));
      assertThat(batch.events()).hasSize(3).allMatch(e -> e instanceof ParsedEvent.Valid);
      assertThat(batch.events()).extracting(e -> ((ParsedEvent.Valid) e).event().name())
          .containsExactly("pageview", "cta click", "submit");
    }
  }

  @Test
  void validEventsCarryTheirDataSerializedCompactly() throws Exception {
    ParsedEvent parsed = codec.parse(PAGEVIEW.getBytes(StandardCharsets.UTF_8)).events().get(0);
    assertThat(((ParsedEvent.Valid) parsed).dataJson()).isEqualTo("{\"host\":\"www.ca.com\",\"path\":\"/\"}");
  }

  private Event single(String json) throws MalformedBodyException {
    ParsedBatch batch = codec.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(batch.events()).hasSize(1);
    assertThat(batch.events().get(0)).isInstanceOf(ParsedEvent.Valid.class);
    return ((ParsedEvent.Valid) batch.events().get(0)).event();
  }
}
