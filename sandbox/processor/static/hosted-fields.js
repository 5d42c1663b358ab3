// The hosted fields: confirm the chosen payment method with the processor, then hand the
// parent page only the token, by postMessage to the one origin that opened the session.
(function () {
  "use strict";
  const form = document.getElementById("payment-fields");
  const errorBox = document.getElementById("error");
  const ready = document.getElementById("ready");
  const panels = Array.from(document.querySelectorAll("fieldset[data-method]"));
  const radios = Array.from(form.querySelectorAll("input[name=saved_method]"));

  function chosen() {
    const checked = radios.find((radio) => radio.checked);
    return checked ? checked.value : "";
  }

  function showPanels() {
    const method = chosen();
    panels.forEach((panel) => { panel.hidden = panel.dataset.method !== method; });
  }

  function say(box, text) {
    box.textContent = text;
    box.hidden = !text;
  }

  function payload() {
    const method = chosen();
    const value = (name) => form.elements[name].value;
    if (method === "new_card") {
      return { card_number: value("card_number"), exp: value("exp"), cvc: value("cvc"),
               zip: value("zip") };
    }
    if (method === "new_bank") {
      return { routing: value("routing"), account: value("account") };
    }
    return { saved_token: method };
  }

  radios.forEach((radio) => radio.addEventListener("change", () => {
    say(errorBox, "");
    showPanels();
  }));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(errorBox, "");
    say(ready, "");
    let answer;
    try {
      const response = await fetch(form.dataset.confirmUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload()),
      });
      answer = await response.json();
      if (!response.ok) {
        say(errorBox, answer.message || "This payment method could not be used.");
        return;
      }
    } catch (failure) {
      say(errorBox, "The payment service could not be reached. Try again.");
      return;
    }
    // Typed numbers leave the page as soon as they have become a token.
    ["card_number", "exp", "cvc", "zip", "routing", "account"].forEach((name) => {
      form.elements[name].value = "";
    });
    window.parent.postMessage(
      { type: "processor.payment_method", token: answer.token, brand: answer.brand,
        last4: answer.last4, kind: answer.kind },
      form.dataset.parentOrigin,
    );
    say(ready, "Payment method ready: " + answer.brand + " ending in " + answer.last4);
  });

  showPanels();
})();
