package io.theeye.examples.shop;

import java.util.List;
import java.util.Optional;

/**
 * One thing the demo shop sells.
 *
 * @param slug the last segment of its page's path, {@code /products/<slug>}
 * @param name what the page calls it
 * @param price its price in euro cents
 * @param colour the CSS colour of its picture
 * @param blurb one sentence about it
 */
record Product(String slug, String name, int price, String colour, String blurb) {

  /** Everything the shop sells, in the order the home page lists it. */
  static final List<Product> CATALOG = List.of(
      new Product("iris-lamp", "Iris desk lamp", 8900, "#e8a33d",
          "A warm, dimmable light that follows your gaze across the desk."),
      new Product("pupil-mug", "Pupil espresso mug", 1900, "#3d7be8",
          "Double-walled porcelain: the coffee stays hot, your fingers stay cool."),
      new Product("lens-notebook", "Lens notebook", 1400, "#3dbb7a",
          "Dotted pages for sketching what you noticed today."));

  /** The product whose page is {@code /products/<slug>}. */
  static Optional<Product> bySlug(String slug) {
    return CATALOG.stream().filter(p -> p.slug().equals(slug)).findFirst();
  }

  /** {@code €89.00}. */
  String formattedPrice() {
    return String.format(java.util.Locale.ROOT, "€%d.%02d", price / 100, price % 100);
  }

  /** The path of its page. */
  String path() {
    return "/products/" + slug;
  }
}
