package io.theeye.client.internal;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * The client's logger when the application has no SLF4J provider: SLF4J would then discard every
 * message, and a wrong secret or an unreachable collector would be invisible. Warnings and errors go to
 * standard error instead, prefixed {@code [eye-client]}; nothing below WARN is printed. With any
 * provider on the classpath (Logback, Log4j 2, slf4j-simple, JUL through slf4j-jdk14) it is not used.
 */
final class StderrFallbackLogger extends LegacyAbstractLogger {

  private static final long serialVersionUID = 1L;

  private StderrFallbackLogger(String name) {
    this.name = name;
  }

  /** The SLF4J logger of that name, or this fallback when SLF4J has no provider bound. */
  static Logger orSlf4j(String name) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof NOPLoggerFactory) {
      return new StderrFallbackLogger(name);
    }
    return factory.getLogger(name);
  }

  @Override
  public boolean isTraceEnabled() {
    return false;
  }

  @Override
  public boolean isDebugEnabled() {
    return false;
  }

  @Override
  public boolean isInfoEnabled() {
    return false;
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(pattern, arguments);
    System.err.println("[eye-client] " + level + " " + message + (throwable == null ? "" : ": " + throwable));
  }
}
