// On a phone the header's links fold behind a menu button (shown only when this script runs, so
// the links stay reachable without it). No inline handlers: CSP.
document.querySelectorAll(".menu-button").forEach((button) => {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  button.hidden = false;
  document.documentElement.classList.add("has-menu-button");
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("is-open", open);
  });
});
