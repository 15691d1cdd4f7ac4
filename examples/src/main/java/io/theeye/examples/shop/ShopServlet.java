package io.theeye.examples.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * The shop's pages: {@code GET /}, {@code /products/<slug>}, {@code /checkout?product=<slug>}, {@code
 * /thanks?product=<slug>}, and {@code POST /checkout}, which places the (pretend) order and redirects to
 * the thank-you page. It never reads, keeps or logs what the visitor typed into the form.
 */
final class ShopServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final String PRODUCTS = "/products/";

  private final String scriptTag;

  /** @param scriptTag eye-web's {@code <script>} tag, put into every page's head */
  ShopServlet(String scriptTag) {
    this.scriptTag = scriptTag;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Optional<Product> shown = path.startsWith(PRODUCTS)
        ? Product.bySlug(path.substring(PRODUCTS.length())) : Optional.empty();
    Optional<Product> chosen = Product.bySlug(nullToEmpty(request.getParameter("product")));
    if (path.equals("/") || path.isEmpty()) {
      html(response, 200, ShopPages.home(scriptTag));
    } else if (shown.isPresent()) {
      html(response, 200, ShopPages.product(scriptTag, shown.get()));
    } else if (path.equals("/checkout") && chosen.isPresent()) {
      html(response, 200, ShopPages.checkout(scriptTag, chosen.get()));
    } else if (path.equals("/thanks") && chosen.isPresent()) {
      html(response, 200, ShopPages.thanks(scriptTag, chosen.get()));
    } else {
      html(response, 404, ShopPages.notFound(scriptTag));
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Optional<Product> chosen = Product.bySlug(nullToEmpty(request.getParameter("product")));
    if (!path.equals("/checkout") || chosen.isEmpty()) {
      html(response, 404, ShopPages.notFound(scriptTag));
      return;
    }
    // A real shop would place the order here. Post/redirect/get: reloading the thank-you page does not
    // submit the form again.
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", request.getContextPath() + "/thanks?product=" + chosen.get().slug());
  }

  private static void html(HttpServletResponse response, int status, String page) throws IOException {
    response.setStatus(status);
    response.setContentType("text/html; charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    response.getWriter().write(page);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
