// The request form asks a cross-border question only where the chosen capabilities make it
// matter (the rules say which: data-capabilities on the question). A hidden question keeps its
// answer; without this script every question shows.
(() => {
  const form = document.querySelector("form.deal-form");
  const chooser = form && form.querySelector("select[name=capabilities]");
  if (!chooser) return;
  const questions = [...form.querySelectorAll(".fact-question[data-capabilities]")];
  const matters = (question, chosen) =>
    question.dataset.capabilities.split(" ").some((code) =>
      chosen.some((value) => value === code || value.startsWith(code + ".") || code.startsWith(value + ".")));
  const update = () => {
    const chosen = [...chooser.selectedOptions].map((option) => option.value);
    questions.forEach((question) => { question.hidden = !matters(question, chosen); });
  };
  form.addEventListener("change", update);
  update();
})();
