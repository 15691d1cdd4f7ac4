package io.theeye.spring.boot;

import io.theeye.client.EyeClient;
import io.theeye.web.EyePageViewFilter;
import io.theeye.web.EyeWeb;
import jakarta.servlet.http.HttpServlet;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * In a servlet web application with eye-web on the class path: an {@link EyeWeb} bean (for templates:
 * {@code ${@eyeWeb.scriptTag()}}), its relay servlet registered at {@code eye.web.prefix + "/*"}, and,
 * with {@code eye.web.page-views=true}, its page-view filter at {@code /*}. {@code eye.web.enabled=false}
 * turns it off; an application's own {@code EyeWeb} bean is used instead of the auto-configured one.
 */
@AutoConfiguration(after = EyeAutoConfiguration.class)
@ConditionalOnClass(EyeWeb.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnSingleCandidate(EyeClient.class)
@ConditionalOnBooleanProperty(name = "eye.web.enabled", matchIfMissing = true)
@EnableConfigurationProperties(EyeWebProperties.class)
public class EyeWebAutoConfiguration {

  /** The snippet and relay, relaying to the application's client. */
  @Bean
  @ConditionalOnMissingBean
  public EyeWeb eyeWeb(EyeClient eyeClient, EyeWebProperties properties) {
    return properties.applyTo(EyeWeb.builder(eyeClient)).build();
  }

  /** Serves the snippet and receives its batches under the prefix. */
  @Bean
  @ConditionalOnMissingBean(name = "eyeWebServlet")
  public ServletRegistrationBean<HttpServlet> eyeWebServlet(EyeWeb eyeWeb) {
    ServletRegistrationBean<HttpServlet> registration =
        new ServletRegistrationBean<>(eyeWeb.servlet(), eyeWeb.servletMapping());
    registration.setName("eyeWebServlet");
    return registration;
  }

  /** Tracks each HTML page the application serves, under the snippet's session cookie. */
  @Bean
  @ConditionalOnMissingBean(name = "eyePageViewFilter")
  @ConditionalOnBooleanProperty("eye.web.page-views")
  public FilterRegistrationBean<EyePageViewFilter> eyePageViewFilter(EyeWeb eyeWeb) {
    FilterRegistrationBean<EyePageViewFilter> registration =
        new FilterRegistrationBean<>(eyeWeb.pageViewFilter());
    registration.setName("eyePageViewFilter");
    registration.addUrlPatterns("/*");
    return registration;
  }
}
