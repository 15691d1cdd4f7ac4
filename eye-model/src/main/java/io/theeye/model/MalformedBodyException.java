package io.theeye.model;

/**
 * The request body as a whole is unusable: not JSON, not one of the three shapes, empty, or over the
 * event limit. Its message says which, for a human; the reason code is always {@code malformed_body}.
 */
public final class MalformedBodyException extends Exception {

  /** Creates the exception with a message for the sender. */
  public MalformedBodyException(String message) {
    super(message, null, false, false);
  }

  /** The reason recorded for the body. */
  public Reason reason() {
    return Reason.MALFORMED_BODY;
  }
}
