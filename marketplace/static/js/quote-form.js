// The quote's running total as the provider types: net, VAT and total in CNY (each line rounded
// to the fen, as the server does) and, for reference, in the buyer's currency at today's rate;
// and whether the milestones add up (shares to 100 %, or amounts to the total). The server
// checks everything again when the quote is sent.
(() => {
  const form = document.querySelector("form.deal-form");
  const totalBox = form && form.querySelector("[data-total]");
  const milestoneBox = form && form.querySelector("[data-milestone-check]");
  if (!totalBox || !milestoneBox) return;
  const chinese = document.documentElement.lang.startsWith("zh");
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (all, name) => values[name]);
  const said = totalBox.dataset, check = milestoneBox.dataset;  // the page's translated words
  const number = (value) => { const parsed = Number(String(value).trim()); return Number.isFinite(parsed) ? parsed : NaN; };
  const money = (fen) => (fen / 100).toLocaleString(chinese ? "zh-CN" : "en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const visibleRows = (prefix) => [...form.querySelectorAll(`[data-formset="${prefix}"] [data-row]`)].filter((row) => !row.hidden);
  const value = (row, name) => { const field = row.querySelector(`[name$="-${name}"]`); return field ? field.value : ""; };
  const update = () => {
    let net = 0, vat = 0;
    visibleRows("lines").forEach((row) => {
      const quantity = number(value(row, "quantity")), price = number(value(row, "unit_price"));
      const rate = number(value(row, "vat_rate") || "0");
      if (Number.isNaN(quantity) || Number.isNaN(price)) return;
      const lineNet = Math.round(quantity * price * 100);
      net += lineNet;
      if (!Number.isNaN(rate)) vat += Math.round(lineNet * rate);
    });
    const total = net + vat;
    let line = `${said.net} CNY ${money(net)} · ${said.vat} CNY ${money(vat)} · ${said.sum} CNY ${money(total)}`;
    const rate = Number(said.rate);
    if (rate && total) line += ` · ${fill(said.estimate, { amount: `${said.currency} ${money(Math.round(total * rate))}` })}`;
    totalBox.textContent = net ? line : "";
    const milestones = visibleRows("ms");
    const shares = milestones.map((row) => value(row, "share")).filter((share) => share !== "");
    const amounts = milestones.map((row) => value(row, "amount")).filter((amount) => amount !== "");
    if (shares.length) {
      const sum = Math.round(shares.reduce((all, share) => all + number(share) * 100, 0)) / 100;
      milestoneBox.textContent = fill(check.shares, { sum: `${sum} %` })
        + (sum === 100 ? "" : ` ${fill(check.should, { target: "100 %" })}`);
    } else if (amounts.length) {
      const sum = amounts.reduce((all, amount) => all + Math.round(number(amount) * 100), 0);
      milestoneBox.textContent = fill(check.amounts, { sum: `CNY ${money(sum)}` })
        + (sum === total ? "" : ` ${fill(check.should, { target: `CNY ${money(total)}` })}`);
    } else {
      milestoneBox.textContent = "";
    }
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
