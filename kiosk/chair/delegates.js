/** The chair's delegates table: presence, device binding, and the two hand actions. */
import { confirmDialog } from "../lib/dialog.js";
import { h, replace } from "../lib/dom.js";
import { formatTime, t } from "../lib/i18n.js";

function bySeat(a, b) {
  return String(a.seat || "").localeCompare(String(b.seat || ""), "vi", { numeric: true }) || a.name.localeCompare(b.name, "vi");
}

/**
 * @param {HTMLElement} body the table's <tbody>
 * @param {object} state
 * @param {import("./actions.js").Actions} actions
 */
export function renderDelegates(body, state, actions) {
  const rows = Array.isArray(state.delegates) ? [...state.delegates].sort(bySeat) : [];
  if (!rows.length) {
    replace(body, h("tr", {}, h("td", { colspan: 7, class: "muted", text: state.meeting ? t("no_delegates") : t("loading") })));
    return;
  }
  replace(
    body,
    rows.map((d) => {
      const device = d.device;
      const toggle = actions.canAct
        ? h("button", {
            type: "button",
            class: "btn btn-small btn-secondary",
            testid: `attendance-toggle-${d.id}`,
            text: d.present ? t("mark_absent") : t("mark_present"),
            onclick: (ev) => actions.send("attendance.set", { delegate_id: d.id, present: !d.present }, ev.currentTarget),
          })
        : null;
      const release =
        actions.canAct && device
          ? h("button", {
              type: "button",
              class: "btn btn-small btn-danger-outline",
              testid: `device-release-${d.id}`,
              text: t("release_device"),
              onclick: async (ev) => {
                const button = ev.currentTarget;
                const ok = await confirmDialog({
                  title: t("release_title"),
                  message: t("release_message", { name: d.name, device: device.label || device.address || "" }),
                  confirmLabel: t("release_device"),
                  danger: true,
                });
                if (ok) actions.send("device.release", { delegate_id: d.id }, button);
              },
            })
          : null;
      return h(
        "tr",
        { testid: `delegate-row-${d.id}`, class: d.present ? "is-present" : "is-absent", dataset: { present: String(Boolean(d.present)) } },
        h("td", { class: "seat", text: d.seat || "" }),
        h("td", {}, h("span", { class: "name", text: d.name }), d.unit ? h("span", { class: "sub", text: d.unit }) : null),
        h(
          "td",
          {},
          h("span", { class: ["badge", d.present ? "badge-ok" : "badge-muted"], text: d.present ? t("present") : t("absent") }),
          d.present && d.present_since ? h("span", { class: "sub", text: t("since", { time: formatTime(d.present_since) }) }) : null,
        ),
        h(
          "td",
          {},
          device ? h("span", { text: device.label || t("unnamed_device") }) : h("span", { class: "muted", text: t("no_device") }),
          device && device.address ? h("span", { class: "sub mono", text: device.address }) : null,
        ),
        h("td", { text: device ? formatTime(device.bound_at) : "" }),
        h("td", { class: "actions" }, toggle, release),
      );
    }),
  );
}
