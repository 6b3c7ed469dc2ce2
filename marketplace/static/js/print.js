// "Print or save as PDF" buttons: the browser's print dialog saves a PDF too.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
