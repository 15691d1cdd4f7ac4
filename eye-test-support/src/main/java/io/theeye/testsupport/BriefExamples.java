package io.theeye.testsupport;

/**
 * The product brief's three example events, copied literally: the trailing commas after
 * {@code "path": "/"} in the first, and one timestamp shared by all three.
 */
public final class BriefExamples {

  private BriefExamples() {}

  /** One of the brief's examples, verbatim. */
  public static final String PAGEVIEW = """
      {
        "session_id": "e2085be5-9137-4e4e-80b5-f1ffddc25423",
        "category": "page interaction",
        "name": "pageview",
        "data": {
          "host": "www.ca.com",
          "path": "/",
        },
        "timestamp": "2021-01-01 09:15:27.243860"
      }
      """;

  /** One of the brief's examples, verbatim. */
  public static final String CTA_CLICK = """
      {
        "session_id": "e2085be5-9137-4e4e-80b5-f1ffddc25423",
        "category": "page interaction",
        "name": "cta click",
        "data": {
          "host": "www.ca.com",
          "path": "/",
          "element": "chat bubble"
        },
        "timestamp": "2021-01-01 09:15:27.243860"
      }
      """;

  /** One of the brief's examples, verbatim. */
  public static final String SUBMIT = """
      {
        "session_id": "e2085be5-9137-4e4e-80b5-f1ffddc25423",
        "category": "form interaction",
        "name": "submit",
        "data": {
          "host": "www.ca.com",
          "path": "/",
          "form": {
            "first_name": "John",
            "last_name": "Doe"
          }
        },
        "timestamp": "2021-01-01 09:15:27.243860"
      }
      """;
}
