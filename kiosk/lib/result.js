/** Shared views of a poll: state labels, live count bars and the final result. */
import { h } from "./dom.js";
import { t } from "./i18n.js";

const KNOWN_CHOICES = new Set(["yes", "no", "abstain"]);

/** CSS class for an option value (green / red / grey). */
export function choiceClass(value) {
  return KNOWN_CHOICES.has(value) ? `choice-${value}` : "choice-other";
}

/** "Đang biểu quyết", "Đã kết thúc", … */
export function pollStateLabel(state) {
  return t(`poll_state_${state}`);
}

/** Whether a poll's live counts per option may be shown (never for a secret ballot). */
export function countsVisible(poll) {
  return Boolean(poll) && !poll.secret && (poll.kind === undefined || poll.kind === "open");
}

/** The tally to show: the live one, or zeros before the first `poll.tally`. */
export function tallyOrZero(state) {
  const poll = state.poll;
  if (state.tally && poll && state.tally.poll_id === poll.id) return state.tally;
  const counts = {};
  for (const option of (poll && poll.options) || []) counts[option.value] = 0;
  return {
    poll_id: poll ? poll.id : null,
    voted: 0,
    present: state.attendance ? state.attendance.present : 0,
    total: poll ? poll.total : state.attendance ? state.attendance.total : 0,
    counts,
  };
}

/** "Đã biểu quyết: 25 / Có mặt: 28 / Tổng số: 30" as three labelled numbers. */
export function progressLine(tally, testid) {
  const part = (key, value, id) =>
    h("span", { class: "progress-part", testid: id }, t(key), " ", h("strong", { text: value }));
  return h(
    "p",
    { class: "progress-line", testid },
    part("voted_label", tally.voted, "tally-voted"),
    h("span", { class: "sep", "aria-hidden": "true", text: " / " }),
    part("present_label", tally.present, "tally-present"),
    h("span", { class: "sep", "aria-hidden": "true", text: " / " }),
    part("total_label", tally.total, "tally-total"),
  );
}

/**
 * Horizontal bars, one per option, scaled to the total number of delegates.
 * Returns {el, update(tally)} so pages that get ten tallies a second only move the bars.
 */
export function tallyBars(poll) {
  const rows = new Map();
  const el = h(
    "div",
    { class: "bars", testid: "tally-bars" },
    poll.options.map((option) => {
      const fill = h("span", { class: ["bar-fill", choiceClass(option.value)] });
      const count = h("span", { class: "bar-count", testid: `tally-count-${option.value}`, text: "0" });
      rows.set(option.value, { fill, count });
      return h(
        "div",
        { class: "bar-row", dataset: { choice: option.value } },
        h("span", { class: "bar-label", text: option.label }),
        h("span", { class: "bar-track" }, fill),
        count,
      );
    }),
  );
  const update = (tally) => {
    const total = Math.max(1, tally.total || poll.total || 1);
    for (const [value, row] of rows) {
      const n = (tally.counts && tally.counts[value]) || 0;
      row.fill.style.width = `${Math.min(100, (100 * n) / total)}%`;
      row.count.textContent = String(n);
    }
  };
  return { el, update };
}

/** Verdict, result lines, summary and the delegates present who did not vote. */
export function resultBlock(result, { summary = true } = {}) {
  const absentees = Array.isArray(result.present_not_voted) ? result.present_not_voted : [];
  return h(
    "div",
    { class: ["result", result.passed ? "passed" : "failed"], testid: "result" },
    h("p", { class: "verdict", testid: "result-verdict", dataset: { passed: String(Boolean(result.passed)) }, text: result.verdict }),
    h(
      "ul",
      { class: "result-lines", testid: "result-lines" },
      (result.lines || []).map((line, i) => h("li", { testid: `result-line-${i}`, text: line })),
    ),
    summary && result.summary ? h("p", { class: "result-summary", testid: "result-summary", text: result.summary }) : null,
    h(
      "p",
      { class: "present-not-voted", testid: "result-present-not-voted" },
      h("span", { class: "label", text: t("present_not_voted") }),
      " ",
      absentees.length
        ? absentees.map((d) => (d.seat ? `${d.name} (${d.seat})` : d.name)).join(", ")
        : t("none"),
    ),
  );
}
