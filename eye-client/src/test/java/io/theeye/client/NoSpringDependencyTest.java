package io.theeye.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * eye-client stays free of Spring: applications that do not use Spring get none of it (the Spring Boot
 * support lives in eye-spring-boot-starter, which depends on the client, never the other way round).
 * This module's test class path holds every dependency of the client, direct and transitive, so
 * nothing of Spring may be on it.
 */
class NoSpringDependencyTest {

  @Test
  void nothingOfSpringIsOnTheClientsClassPath() {
    for (String springClass : List.of("org.springframework.core.SpringVersion",
        "org.springframework.context.ApplicationContext", "org.springframework.boot.SpringApplication")) {
      assertThat(loadable(springClass)).as(springClass).isFalse();
    }
    // Surefire hands the real class path over in this property (the JVM's may be a manifest-only jar).
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    assertThat(Arrays.asList(classPath.split(File.pathSeparator)))
        .isNotEmpty()
        .anySatisfy(entry -> assertThat(entry).contains("okhttp"))   // the property is the real class path
        .noneSatisfy(entry -> assertThat(entry).contains("springframework"));
  }

  private static boolean loadable(String name) {
    try {
      Class.forName(name, false, NoSpringDependencyTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
