package io.theeye.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.EyeClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The application.properties of docs/client.md's "Spring Boot" section configures the client. */
class SpringBootDocsTest {

  @Test
  void theDocumentedPropertiesAndTheSecretConfigureTheClient() throws Exception {
    String docs = Files.readString(Path.of("../docs/client.md"));
    String section = docs.substring(docs.indexOf("\n## Spring Boot\n"));
    int start = section.indexOf("```properties\n") + "```properties\n".length();
    List<String> properties = new ArrayList<>();
    for (String line : section.substring(start, section.indexOf("```", start)).split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        properties.add(line);
      }
    }
    assertThat(properties).containsExactly("eye.endpoint=http://127.0.0.1:8080", "eye.key-id=demo-key");
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(EyeAutoConfiguration.class))
        .withPropertyValues(properties.toArray(String[]::new))
        .withPropertyValues("eye.secret=from-the-environment", "eye.shutdown-timeout=0s")
        .run(context -> assertThat(context.getBean(EyeClient.class).toString())
            .isEqualTo("EyeClient{endpoint=http://127.0.0.1:8080/v1/events, keyId=demo-key}"));
  }
}
