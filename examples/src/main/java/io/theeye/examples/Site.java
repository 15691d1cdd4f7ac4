package io.theeye.examples;

import java.util.List;

/**
 * One simulated web application: its host, the pages visitors view, the calls to action they click and
 * the forms they submit.
 *
 * @param name the application's name, e.g. {@code shop}
 * @param host the host name put in every event's {@code host}
 * @param pages paths a visitor may view; the first is the landing page
 * @param ctas names of the call-to-action elements a visitor may click
 * @param forms names of the forms a visitor may submit
 */
record Site(String name, String host, List<String> pages, List<String> ctas, List<String> forms) {

  /** A known profile ({@code shop}, {@code blog}) or a generic site named {@code name}. */
  static Site profile(String name) {
    return switch (name) {
      case "shop" -> new Site("shop", "shop.example.com",
          List.of("/", "/products", "/products/espresso-machine", "/products/grinder", "/products/milk-jug",
              "/cart", "/checkout"),
          List.of("add to cart", "chat bubble", "checkout", "free shipping banner"),
          List.of("newsletter", "checkout", "contact"));
      case "blog" -> new Site("blog", "blog.example.com",
          List.of("/", "/posts/brewing-basics", "/posts/grind-size", "/posts/latte-art", "/about"),
          List.of("subscribe", "share", "read more", "shop the look"),
          List.of("comment", "newsletter"));
      default -> new Site(name, name + ".example.com",
          List.of("/", "/features", "/pricing", "/docs", "/signup"),
          List.of("sign up", "chat bubble", "learn more"),
          List.of("signup", "contact"));
    };
  }
}
