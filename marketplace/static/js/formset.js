// Rows of a form set (data-formset="<prefix>") added and removed freely: "Add" copies the empty
// row of the <template>; "Remove" empties a row and hides it, and the server skips empty rows.
// Every row counts as new (INITIAL_FORMS 0), so an emptied row is simply not sent.
document.querySelectorAll("[data-formset]").forEach((box) => {
  const prefix = box.dataset.formset;
  const total = box.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const initial = box.querySelector(`input[name="${prefix}-INITIAL_FORMS"]`);
  const most = Number(box.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`).value);
  const rows = box.querySelector("[data-rows]");
  const template = box.querySelector("template");
  const add = box.querySelector("[data-add]");
  if (!total || !rows || !template || !add) return;
  initial.value = "0";
  add.hidden = false;
  box.querySelectorAll("[data-remove]").forEach((button) => { button.hidden = false; });
  add.addEventListener("click", () => {
    const index = Number(total.value);
    if (index >= most) return;
    const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__n__", String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = rows.lastElementChild;
    row.querySelector("[data-remove]").hidden = false;
    row.querySelector("input, select, textarea").focus();
    box.dispatchEvent(new Event("change", { bubbles: true }));
  });
  rows.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove]");
    if (!button) return;
    const row = button.closest("[data-row]");
    row.querySelectorAll("input, select, textarea").forEach((field) => {
      if (field.type === "checkbox" || field.type === "radio") field.checked = false;
      else field.value = "";
    });
    row.hidden = true;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    add.focus();
  });
});
