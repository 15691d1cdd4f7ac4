package io.theeye.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that needs the test PostgreSQL server: {@link PostgresTestSchema#requireServer()} runs
 * once before the class, so a missing server skips (or, under {@code CI=true}, fails) the whole class
 * before any {@code @BeforeEach} or {@code @AfterEach} of it runs on fields never set.
 *
 * <pre>{@code
 * @RequiresPostgres
 * class PostgresEventStoreTest { ... }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(RequiresPostgres.Check.class)
public @interface RequiresPostgres {

  /** The extension behind the annotation. */
  final class Check implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
      PostgresTestSchema.requireServer();
    }
  }
}
