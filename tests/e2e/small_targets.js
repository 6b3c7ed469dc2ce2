// The controls a finger presses that are under 44 px either way, outside running text (a link
// inside a sentence is exempt, as WCAG's target-size rule allows); a radio button or checkbox
// is pressed through its label, so the label is measured.
() => [...document.querySelectorAll("a, button, input, select, textarea, summary")]
  .map((e) => ((e.type === "radio" || e.type === "checkbox") && e.closest("label")) || e)
  .filter((e) => {
    const box = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    return box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && style.visibility !== "hidden" && (box.width < 44 || box.height < 44)
      && !e.closest("p, li, td, dd, dt, h1, h2, h3, .meta");
  })
  .map((e) => {
    const box = e.getBoundingClientRect();
    const name = (e.innerText || e.name || "").trim().slice(0, 30);
    return `${e.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`;
  })
