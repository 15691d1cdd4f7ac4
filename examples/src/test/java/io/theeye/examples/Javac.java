package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles a documented snippet, as written, against this test's class path. */
final class Javac {

  private Javac() {}

  /**
   * Writes {@code source} as {@code work/src/<className>.java}, compiles it into {@code work/classes}
   * and returns that directory; fails the test with javac's messages and the source when it does not
   * compile.
   */
  static Path compile(Path work, String className, String source) throws Exception {
    Path src = work.resolve("src/" + className + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(work.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok = javac.getTask(errors, null, null,
        List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path")), null,
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src)).call();
    assertThat(ok).as("the documented code compiles:\n%s\n%s", errors, source).isTrue();
    return classes;
  }
}
