// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // a file input with data-fills="ID" reads the chosen file into the textarea ID (the compliance profile)
  for (const input of document.querySelectorAll("input[type=file][data-fills]")) {
    input.addEventListener("change", async () => {
      const target = document.getElementById(input.dataset.fills);
      if (target && input.files.length) target.value = await input.files[0].text();
    });
  }
  // select elements marked data-autosubmit submit their form when changed (the matrix's topic and date)
  for (const select of document.querySelectorAll("[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
