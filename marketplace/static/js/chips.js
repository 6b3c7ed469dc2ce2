// A multiple choice (select[multiple][data-chips]) becomes a search box with chips: type a few
// letters of either language's name, pick with the mouse or the arrow keys and Enter, remove a
// chip with its × or Backspace in an empty box. The select stays in the form, hidden, and is
// what is sent; its "change" event tells the rest of the page (the questions, the kept input).
(() => {
  const plain = (text) => text.replace(/^(—\s*)+/, "").trim();
  const fold = (text) => text.toLowerCase().normalize("NFKC");
  let counter = 0;

  document.querySelectorAll("select[multiple][data-chips]").forEach((select) => {
    const id = select.id || `chips-${++counter}`;
    const strings = select.dataset;
    const box = document.createElement("div");
    box.className = "chips";
    const chosen = document.createElement("ul");
    chosen.className = "chip-list";
    const input = document.createElement("input");
    input.type = "text";
    input.id = `${id}-search`;
    input.className = "chips-input";
    input.placeholder = strings.placeholder || "";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", `${id}-options`);
    const list = document.createElement("ul");
    list.id = `${id}-options`;
    list.className = "chips-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    const field = document.createElement("div");
    field.className = "chips-field";
    field.append(input, list);
    box.append(chosen, field, status);
    select.after(box);
    select.hidden = true;
    select.tabIndex = -1;
    // A hidden required select would stop the form with no message the reader can see: the
    // box says it is required, and the server says what is missing.
    if (select.required) {
      select.required = false;
      input.setAttribute("aria-required", "true");
    }
    // What the select says of itself (its error, its help) is said of the box that stands in
    // for it, with the chips chosen.
    chosen.id = `${id}-chosen`;
    input.setAttribute("aria-describedby",
      [chosen.id, select.getAttribute("aria-describedby")].filter(Boolean).join(" "));
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    const label = document.querySelector(`label[for="${select.id}"]`);
    if (label) label.htmlFor = input.id;
    const options = [...select.options].map((option) => ({
      option,
      label: plain(option.textContent),
      words: fold(`${option.textContent} ${option.dataset.search || ""} ${option.value}`),
    }));
    let active = -1;

    const announce = (text) => { status.textContent = text; };
    const renderChips = () => {
      chosen.replaceChildren(...options.filter((item) => item.option.selected).map((item) => {
        const chip = document.createElement("li");
        chip.className = "chip";
        const name = document.createElement("span");
        name.textContent = item.label;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `${strings.remove || "Remove"} ${item.label}`);
        remove.addEventListener("click", () => {
          toggle(item, false);
          input.focus();
        });
        chip.append(name, remove);
        return chip;
      }));
    };
    const matches = () => {
      const words = fold(input.value).split(/\s+/).filter(Boolean);
      return options.filter((item) => !item.option.selected
        && words.every((word) => item.words.includes(word))).slice(0, 50);
    };
    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const renderOptions = () => {
      const found = matches();
      list.replaceChildren(...found.map((item, index) => {
        const row = document.createElement("li");
        row.id = `${id}-option-${index}`;
        row.setAttribute("role", "option");
        row.setAttribute("aria-selected", index === active ? "true" : "false");
        row.textContent = item.option.textContent.trim();
        row.addEventListener("mousedown", (event) => event.preventDefault());
        row.addEventListener("click", () => { toggle(item, true); input.focus(); });
        return row;
      }));
      if (!found.length) {  // an option that cannot be chosen, so the listbox holds options only
        const none = document.createElement("li");
        none.className = "chips-none";
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.setAttribute("aria-selected", "false");
        none.textContent = strings.empty || "";
        list.append(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0 && found[active]) input.setAttribute("aria-activedescendant", `${id}-option-${active}`);
      else input.removeAttribute("aria-activedescendant");
      return found;
    };
    const toggle = (item, on) => {
      item.option.selected = on;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      announce(`${on ? strings.added : strings.removed}: ${item.label}`);
      if (on) {  // picked: the box empties and the list closes (type or ↓ for the next one)
        input.value = "";
        close();
      }
    };

    (select.form || select).addEventListener("change", renderChips);
    input.addEventListener("click", renderOptions);
    input.addEventListener("input", () => { active = 0; renderOptions(); });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", (event) => {
      const found = list.hidden ? [] : matches();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { renderOptions(); return; }
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = found.length ? (active + step + found.length) % found.length : -1;
        renderOptions();
        const row = document.getElementById(`${id}-option-${active}`);
        if (row) row.scrollIntoView({ block: "nearest" });
      } else if (event.key === "Enter") {
        if (list.hidden) return;
        event.preventDefault();
        if (found[active]) toggle(found[active], true);
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Backspace" && !input.value) {
        const last = options.filter((item) => item.option.selected).pop();
        if (last) toggle(last, false);
      }
    });
    renderChips();
  });
})();
