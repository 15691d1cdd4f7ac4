package io.theeye.examples.spring;

import io.theeye.client.EyeClient;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The shop's one page, and its orders tracked on the server ({@code shop / order}) with the
 * auto-configured {@link EyeClient}, under the browser's session (the snippet's {@code eye_sid} cookie), so the
 * session's timeline holds the browser's page views and clicks and the server's orders together.
 */
@Controller
class ShopController {

  static final List<String> PRODUCTS = List.of("Blue mug", "Red scarf", "Green lamp");

  private final EyeClient eye;

  ShopController(EyeClient eye) {
    this.eye = eye;
  }

  @GetMapping("/")
  String shop(Model model, @RequestParam(required = false) String ordered) {
    model.addAttribute("products", PRODUCTS);
    model.addAttribute("ordered", ordered);
    return "shop";
  }

  @PostMapping("/orders")
  String order(@RequestParam String product, @CookieValue(name = "eye_sid", required = false) String session,
      HttpServletRequest request) {
    // track() never blocks and never throws: the order goes through whatever The Eye does. (The
    // snippet reports the form's submit from the browser too, with its field names only.)
    eye.track(session != null ? session : UUID.randomUUID().toString(), "shop", "order",
        Map.of("host", request.getServerName(), "path", "/orders", "product", product));
    return "redirect:/?ordered=" + PRODUCTS.indexOf(product);
  }
}
