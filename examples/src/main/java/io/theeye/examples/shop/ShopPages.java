package io.theeye.examples.shop;

/**
 * The demo shop's HTML: a home page listing the catalog, a page per product with a call to action, a
 * checkout form and a thank-you page. Every page carries the eye-web script tag in its {@code <head>};
 * the elements the snippet reports are marked with {@code data-eye-click} and {@code data-eye-capture}.
 */
final class ShopPages {

  /** The shop's name, in every page's title and header. */
  static final String SHOP = "Eye Candy";

  private static final String CSS = """
      *{box-sizing:border-box}
      body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2430;background:#f6f4ef}
      a{color:inherit}
      header{background:#1f2430;color:#fff;padding:14px 32px;display:flex;align-items:center;gap:24px}
      header .logo{font-weight:700;font-size:20px;text-decoration:none;letter-spacing:.5px}
      header nav a{color:#c9cfdb;text-decoration:none;margin-right:16px}
      main{max-width:960px;margin:32px auto;padding:0 24px}
      h1{font-size:32px;margin:0 0 8px}
      .lead{color:#5b6272;margin:0 0 28px}
      .grid{display:grid;grid-template-columns:repeat(3,1fr);gap:20px}
      .card{background:#fff;border-radius:14px;padding:18px;text-decoration:none;box-shadow:0 1px 3px rgba(0,0,0,.08)}
      .card:hover{box-shadow:0 4px 14px rgba(0,0,0,.12)}
      .card h2{font-size:18px;margin:12px 0 4px}
      .price{font-weight:700;color:#1f2430}
      .picture{border-radius:10px;display:flex;align-items:center;justify-content:center}
      .product{display:grid;grid-template-columns:1fr 1fr;gap:36px;align-items:center}
      .product .picture{height:340px}
      .cta{display:inline-block;background:#e8553d;color:#fff;border:0;border-radius:999px;padding:14px 30px;
        font-size:17px;font-weight:600;text-decoration:none;cursor:pointer;margin-top:18px}
      .cta:hover{background:#cf4530}
      form{background:#fff;border-radius:14px;padding:28px;max-width:520px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
      label{display:block;font-weight:600;margin:14px 0 4px}
      input[type=text],input[type=email],input[type=password],select{width:100%;padding:10px 12px;font:inherit;
        border:1px solid #cfd3dc;border-radius:8px}
      .check{display:flex;gap:8px;align-items:center;font-weight:400}
      .hint{color:#7a8191;font-size:13px;margin:4px 0 0}
      .bubble{position:fixed;right:24px;bottom:24px;background:#1f2430;color:#fff;border:0;border-radius:999px;
        padding:12px 18px;font:inherit;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2)}
      footer{max-width:960px;margin:48px auto 24px;padding:0 24px;color:#7a8191;font-size:13px}
      """;

  private ShopPages() {}

  /** The home page: the catalog. */
  static String home(String scriptTag) {
    StringBuilder cards = new StringBuilder();
    for (Product p : Product.CATALOG) {
      cards.append("<a class=\"card\" href=\"").append(p.path()).append("\">")
          .append(picture(p, 150))
          .append("<h2>").append(escape(p.name())).append("</h2>")
          .append("<span class=\"price\">").append(p.formattedPrice()).append("</span></a>\n");
    }
    return page("Home", scriptTag, """
        <h1>Things worth looking at</h1>
        <p class="lead">A demo shop for The Eye: every page you open, the button you click and the form you
        send are recorded, through this shop's own server, into the collector's database.</p>
        <div class="grid">
        """ + cards + "</div>");
  }

  /** A product's page, with its call to action. */
  static String product(String scriptTag, Product p) {
    return page(p.name(), scriptTag, "<div class=\"product\">" + picture(p, 340)
        + "<div><h1>" + escape(p.name()) + "</h1>"
        + "<p class=\"lead\">" + escape(p.blurb()) + "</p>"
        + "<span class=\"price\" style=\"font-size:24px\">" + p.formattedPrice() + "</span><br>"
        + "<a class=\"cta\" id=\"buy\" href=\"/checkout?product=" + p.slug() + "\" data-eye-click=\"buy now\">"
        + "Buy now</a></div></div>");
  }

  /** The checkout form for one product. */
  static String checkout(String scriptTag, Product p) {
    return page("Checkout", scriptTag, "<h1>Checkout</h1>"
        + "<p class=\"lead\">One " + escape(p.name()) + ", " + p.formattedPrice() + ".</p>"
        + """
        <form id="checkout" method="post" action="/checkout">
          <input type="hidden" name="product" value="%s" data-eye-capture>
          <label for="full_name">Full name</label>
          <input type="text" id="full_name" name="full_name" autocomplete="name" required>
          <label for="email">Email</label>
          <input type="email" id="email" name="email" autocomplete="email" required>
          <label for="password">Choose a password</label>
          <input type="password" id="password" name="password" autocomplete="new-password" required>
          <p class="hint">For your account. The Eye records that these fields exist, never what you type.</p>
          <label for="delivery">Delivery</label>
          <select id="delivery" name="delivery" data-eye-capture>
            <option value="standard">Standard (3-5 days, free)</option>
            <option value="express">Express (next day, €9.00)</option>
          </select>
          <label class="check"><input type="checkbox" name="newsletter" value="yes"> Send me the newsletter</label>
          <button class="cta" id="place-order" type="submit">Place order</button>
        </form>
        """.formatted(p.slug()));
  }

  /** After the order. */
  static String thanks(String scriptTag, Product p) {
    return page("Thank you", scriptTag, "<h1>Thank you!</h1>"
        + "<p class=\"lead\">Your " + escape(p.name()) + " is on its way. (Not really: this is a demo.)</p>"
        + "<a class=\"cta\" href=\"/\">Keep looking</a>");
  }

  /** For any other path. */
  static String notFound(String scriptTag) {
    return page("Not found", scriptTag, "<h1>Nothing to see here</h1>"
        + "<p class=\"lead\">That page does not exist.</p><a class=\"cta\" href=\"/\">Back to the shop</a>");
  }

  private static String page(String title, String scriptTag, String body) {
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>" + escape(title) + " · " + SHOP + "</title>\n"
        + "<style>\n" + CSS + "</style>\n"
        + scriptTag + "\n"
        + "</head>\n<body>\n"
        + "<header><a class=\"logo\" href=\"/\">◉ " + SHOP + "</a>"
        + "<nav><a href=\"/\">Shop</a><a href=\"" + Product.CATALOG.get(0).path() + "\">Lamps</a></nav></header>\n"
        + "<main>\n" + body + "\n</main>\n"
        + "<button class=\"bubble\" type=\"button\" data-eye-click=\"chat bubble\">Chat with us</button>\n"
        + "<footer>A demo of The Eye's browser snippet and relay.</footer>\n"
        + "</body>\n</html>\n";
  }

  /** A picture of the product: an eye drawn in its colour. */
  private static String picture(Product p, int height) {
    return "<div class=\"picture\" style=\"height:" + height + "px;background:linear-gradient(135deg," + p.colour()
        + "33," + p.colour() + "88)\">"
        + "<svg viewBox=\"0 0 120 70\" width=\"" + height * 3 / 5 + "\" aria-hidden=\"true\">"
        + "<path d=\"M4 35 Q60 -12 116 35 Q60 82 4 35Z\" fill=\"#fff\"/>"
        + "<circle cx=\"60\" cy=\"35\" r=\"20\" fill=\"" + p.colour() + "\"/>"
        + "<circle cx=\"60\" cy=\"35\" r=\"9\" fill=\"#1f2430\"/>"
        + "<circle cx=\"66\" cy=\"29\" r=\"4\" fill=\"#fff\"/></svg></div>";
  }

  /** Text for HTML element content and attribute values. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
