/** A modal confirmation built on <dialog>, optionally asking for a reason. */
import { h } from "./dom.js";
import { t } from "./i18n.js";

/**
 * Ask the person to confirm.
 * @param {object} o
 * @param {string} o.title
 * @param {string} [o.message]
 * @param {string} [o.confirmLabel]
 * @param {string} [o.cancelLabel]
 * @param {boolean} [o.danger] paint the confirm button red
 * @param {{label: string, min?: number, max?: number}} [o.reason] also ask for a text
 * @param {string} [o.testid] data-testid of the dialog
 * @returns {Promise<false | true | string>} false when cancelled; the trimmed reason when asked
 */
export function confirmDialog(o) {
  return new Promise((resolve) => {
    const min = o.reason ? o.reason.min ?? 0 : 0;
    const max = o.reason ? o.reason.max ?? 500 : 0;
    const hint = h("p", { class: "dialog-hint", hidden: true, role: "alert" });
    const field = o.reason
      ? h("textarea", {
          class: "dialog-reason",
          rows: 3,
          maxlength: max,
          "aria-label": o.reason.label,
          testid: "dialog-reason",
        })
      : null;
    const confirm = h("button", {
      type: "submit",
      class: ["btn", o.danger ? "btn-danger" : "btn-primary"],
      testid: "dialog-confirm",
      text: o.confirmLabel || t("ok"),
    });
    const cancel = h("button", {
      type: "button",
      class: "btn btn-secondary",
      testid: "dialog-cancel",
      text: o.cancelLabel || t("cancel"),
    });
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", { class: "dialog-title", text: o.title }),
      o.message ? h("p", { class: "dialog-message", text: o.message }) : null,
      o.reason ? h("label", { class: "dialog-label" }, o.reason.label, field) : null,
      hint,
      h("div", { class: "dialog-actions" }, cancel, confirm),
    );
    const dialog = h("dialog", { class: "dialog", testid: o.testid || "confirm-dialog" }, form);
    let settled = false;
    const finish = (value) => {
      if (settled) return;
      settled = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (field) {
        const text = field.value.trim();
        if (text.length < min) {
          hint.textContent = t("reason_too_short", { min });
          hint.hidden = false;
          field.focus();
          return;
        }
        finish(text);
      } else {
        finish(true);
      }
    });
    cancel.addEventListener("click", () => finish(false));
    dialog.addEventListener("cancel", (ev) => {
      ev.preventDefault();
      finish(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (field || confirm).focus();
  });
}
