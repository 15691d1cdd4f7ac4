package io.theeye.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small shop on Spring Boot that sends behaviour events to The Eye through eye-spring-boot-starter:
 * its pages carry eye-web's snippet (page views and clicks from the browser), and its order form is
 * tracked on the server ({@link ShopController}). Nothing here configures The Eye but
 * {@code application.properties} and the environment variable {@code EYE_SECRET}.
 *
 * <pre>
 * EYE_SECRET=... java -jar examples-spring/target/eye-shop-spring.jar
 * </pre>
 */
@SpringBootApplication
public class ShopApplication {

  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }
}
