// The language menu takes effect as soon as a language is chosen (no inline handlers: CSP).
document.querySelectorAll("form.language-switcher select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
