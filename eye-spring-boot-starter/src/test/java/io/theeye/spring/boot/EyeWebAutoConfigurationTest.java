package io.theeye.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.EyeClient;
import io.theeye.web.EyeWeb;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The eye.web.* part: when it applies, what it registers, and how it backs off. */
class EyeWebAutoConfigurationTest {

  private static final AutoConfigurations CONFIGURATIONS =
      AutoConfigurations.of(EyeAutoConfiguration.class, EyeWebAutoConfiguration.class);

  // Nothing is sent: no collector is needed to look at the beans.
  private static final String[] CLIENT = {"eye.endpoint=http://127.0.0.1:1", "eye.key-id=shop-web-1",
      "eye.secret=web-test-secret", "eye.shutdown-timeout=0s"};

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(CONFIGURATIONS).withPropertyValues(CLIENT);

  @Test
  void aServletApplicationGetsTheRelayAndTheEyeWebBean() {
    web.withPropertyValues("eye.web.prefix=/assets/eye", "eye.web.allowed-origins=https://www.example.com",
        "eye.web.session-idle-timeout=45").run(context -> {
          EyeWeb eyeWeb = context.getBean(EyeWeb.class);
          assertThat(eyeWeb.scriptTag()).startsWith("<script src=\"/assets/eye/eye.");
          assertThat(eyeWeb.toString()).contains("allowedOrigins=[https://www.example.com]");
          assertThat(context.getBean(EyeWebProperties.class).getSessionIdleTimeout())
              .isEqualTo(Duration.ofMinutes(45));
          ServletRegistrationBean<?> servlet = context.getBean("eyeWebServlet", ServletRegistrationBean.class);
          assertThat(servlet.getServlet()).isSameAs(eyeWeb.servlet());
          assertThat(servlet.getUrlMappings()).containsExactly("/assets/eye/*");
          // Page views on the server are opt-in.
          assertThat(context).doesNotHaveBean("eyePageViewFilter");
        });
  }

  @Test
  void pageViewsRegisterTheFilterOnEveryPath() {
    web.withPropertyValues("eye.web.page-views=true").run(context -> {
      FilterRegistrationBean<?> filter = context.getBean("eyePageViewFilter", FilterRegistrationBean.class);
      assertThat(filter.getFilter()).isSameAs(context.getBean(EyeWeb.class).pageViewFilter());
      assertThat(filter.getUrlPatterns()).containsExactly("/*");
    });
  }

  @Test
  void aValueEyeWebRefusesFailsStartupNamingTheProperty() {
    web.withPropertyValues("eye.web.prefix=eye/").run(context -> {
      assertThat(context).hasFailed();
      Throwable cause = context.getStartupFailure();
      while (!(cause instanceof InvalidConfigurationPropertyValueException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      assertThat(cause).isInstanceOf(InvalidConfigurationPropertyValueException.class);
      InvalidConfigurationPropertyValueException invalid = (InvalidConfigurationPropertyValueException) cause;
      assertThat(invalid.getName()).isEqualTo("eye.web.prefix");
      assertThat(invalid.getReason()).startsWith("prefix must be path segments like /eye");
    });
  }

  @Test
  void notInAServletApplication() {
    new ApplicationContextRunner().withConfiguration(CONFIGURATIONS).withPropertyValues(CLIENT)
        .run(context -> assertThat(context).hasSingleBean(EyeClient.class).doesNotHaveBean(EyeWeb.class)
            .doesNotHaveBean("eyeWebServlet"));
  }

  @Test
  void notWithoutEyeWebOnTheClassPath() {
    web.withClassLoader(new FilteredClassLoader(EyeWeb.class)).run(context -> assertThat(context)
        .hasSingleBean(EyeClient.class).doesNotHaveBean("eyeWebServlet"));
  }

  @Test
  void notWhenDisabled() {
    web.withPropertyValues("eye.web.enabled=false", "eye.web.page-views=true").run(context -> assertThat(context)
        .doesNotHaveBean(EyeWeb.class).doesNotHaveBean("eyeWebServlet").doesNotHaveBean("eyePageViewFilter"));
  }

  @Test
  void anApplicationsOwnEyeWebIsRegistered() {
    web.withUserConfiguration(OwnEyeWeb.class).run(context -> {
      EyeWeb own = context.getBean(OwnEyeWeb.class).web;
      assertThat(context).getBean(EyeWeb.class).isSameAs(own);
      assertThat(context.getBean("eyeWebServlet", ServletRegistrationBean.class).getUrlMappings())
          .containsExactly("/mine/*");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnEyeWeb {
    EyeWeb web;

    @Bean
    EyeWeb myEyeWeb(EyeClient client) {
      return web = EyeWeb.builder(client).prefix("/mine").build();
    }
  }
}
