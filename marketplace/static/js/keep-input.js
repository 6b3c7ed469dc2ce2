// A long form (data-keep="<name>") keeps what was typed in this browser until it is sent: left
// by accident, it comes back as it was. Files and passwords are never kept.
(() => {
  document.querySelectorAll("form[data-keep]").forEach((form) => {
    const key = `form:${location.pathname}:${form.dataset.keep}`;
    const fields = () => [...form.elements].filter((field) => field.name && !["file", "password",
      "hidden", "submit", "button"].includes(field.type) && field.name !== "csrfmiddlewaretoken");
    const save = () => {
      const values = {};
      fields().forEach((field) => {
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.checked) (values[field.name] ||= []).push(field.value);
        } else if (field.multiple) {
          values[field.name] = [...field.selectedOptions].map((option) => option.value);
        } else {
          values[field.name] = [field.value];
        }
      });
      try { localStorage.setItem(key, JSON.stringify(values)); } catch (error) { /* full or off */ }
    };
    let stored = null;
    try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (error) { stored = null; }
    // A page the server answered with errors shows what was sent: only a fresh form is restored.
    if (stored && !form.querySelector(".errorlist")) {
      fields().forEach((field) => {
        const values = stored[field.name];
        if (!values) return;
        if (field.type === "checkbox" || field.type === "radio") field.checked = values.includes(field.value);
        else if (field.multiple) [...field.options].forEach((option) => { option.selected = values.includes(option.value); });
        else field.value = values[0];
      });
      form.dispatchEvent(new Event("change", { bubbles: true }));
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", () => { try { localStorage.removeItem(key); } catch (error) { /* off */ } });
  });
})();
