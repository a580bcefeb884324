/** The chair's poll panel: the shown poll live, its result, the create form and all polls. */
import { confirmDialog } from "../lib/dialog.js";
import { h, replace } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { countsVisible, pollStateLabel, progressLine, resultBlock, tallyBars, tallyOrZero } from "../lib/result.js";

/**
 * The prefilled question is content, not interface: it goes into the record and onto every
 * tablet in the council's language, whatever language the chair's console is shown in.
 */
const QUESTION_PREFIX = "Thông qua ";

export class PollPanel {
  /**
   * @param {object} els {live, list, form, item, question, rule, create}
   * @param {import("./actions.js").Actions} actions
   */
  constructor(els, actions) {
    this.els = els;
    this.actions = actions;
    this.state = null;
    this.bars = null;
    this.barsPollId = null;
    this.questionEdited = false;
    this.lastPrefill = "";
    this.itemChosen = false;
    if (actions.canAct) this.wireForm();
  }

  wireForm() {
    const { form, item, question } = this.els;
    question.addEventListener("input", () => {
      this.questionEdited = question.value.trim() !== "" && question.value !== this.lastPrefill;
    });
    item.addEventListener("change", () => {
      this.itemChosen = true;
      this.prefill();
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const itemId = Number(item.value);
      const text = question.value.trim();
      if (!itemId) {
        this.actions.notify.error(t("need_item"));
        return;
      }
      if (text.length < 3) {
        this.actions.notify.error(t("need_question"));
        question.focus();
        return;
      }
      const answer = await this.actions.send(
        "poll.create",
        { agenda_item_id: itemId, question: text, rule: this.els.rule.value },
        this.els.create,
      );
      if (answer.ok) {
        this.questionEdited = false;
        this.itemChosen = false;
        this.prefill(true);
        this.actions.notify.info(t("poll_created"));
      }
    });
  }

  /** Keep the agenda select in step with the agenda and prefill "Thông qua " + title. */
  syncForm() {
    const { item } = this.els;
    const agenda = this.state.agenda || [];
    const previous = item.value;
    replace(item, agenda.map((a) => h("option", { value: String(a.id), text: `${a.order}. ${a.title}` })));
    const current = this.state.current_item_id;
    const keep = this.itemChosen && agenda.some((a) => String(a.id) === previous);
    if (keep) item.value = previous;
    else if (current) item.value = String(current);
    this.els.create.disabled = agenda.length === 0;
    this.prefill();
  }

  prefill(force = false) {
    if (this.questionEdited && !force) return;
    const chosen = (this.state.agenda || []).find((a) => String(a.id) === this.els.item.value);
    const text = chosen ? `${QUESTION_PREFIX}${chosen.title}` : "";
    this.els.question.value = text;
    this.lastPrefill = text;
  }

  update(state) {
    this.state = state;
    if (this.actions.canAct) this.syncForm();
    this.renderLive();
    this.renderList();
  }

  /** A tally only moves the bars and the counts. */
  updateTally(state) {
    this.state = state;
    const poll = state.poll;
    if (!poll || poll.state !== "open" || this.barsPollId !== poll.id) {
      this.renderLive();
      return;
    }
    const tally = tallyOrZero(state);
    if (this.bars) this.bars.update(tally);
    const line = this.els.live.querySelector("[data-testid=live-progress]");
    if (line) line.replaceWith(progressLine(tally, "live-progress"));
  }

  renderLive() {
    const { live } = this.els;
    const poll = this.state.poll;
    this.bars = null;
    this.barsPollId = null;
    if (!poll) {
      replace(live, h("p", { class: "muted", testid: "live-idle", text: t("no_poll_yet") }));
      return;
    }
    const head = h(
      "div",
      { class: "live-head" },
      h("span", { class: ["badge", `badge-poll-${poll.state}`], testid: "live-state", text: pollStateLabel(poll.state) }),
      h("span", { class: "muted", text: poll.rule_label || "" }),
    );
    const parts = [head, h("p", { class: "live-question", testid: "live-question", text: poll.question })];
    if (poll.state === "open") {
      const tally = tallyOrZero(this.state);
      parts.push(progressLine(tally, "live-progress"));
      if (countsVisible(poll)) {
        this.bars = tallyBars(poll);
        this.bars.update(tally);
        this.barsPollId = poll.id;
        parts.push(this.bars.el);
      }
      parts.push(this.buttonsFor(poll, true));
    } else if (poll.state === "closed") {
      const result = this.state.results[poll.id] || this.state.result;
      parts.push(result ? resultBlock(result) : h("p", { class: "muted", text: t("result_pending") }));
      parts.push(this.buttonsFor(poll, true));
    } else if (poll.state === "annulled") {
      parts.push(h("p", { class: "annul-reason", testid: "live-annul-reason", text: t("reason", { reason: poll.annul_reason || "" }) }));
    }
    replace(live, parts);
  }

  renderList() {
    const polls = Array.isArray(this.state.polls) ? [...this.state.polls].reverse() : [];
    if (!polls.length) {
      replace(this.els.list, h("li", { class: "muted", text: t("no_polls") }));
      return;
    }
    const itemTitle = (id) => {
      const item = (this.state.agenda || []).find((a) => a.id === id);
      return item ? `${item.order}. ${item.title}` : "";
    };
    replace(
      this.els.list,
      polls.map((poll) => {
        const result = this.state.results[poll.id];
        return h(
          "li",
          { class: ["poll-row", `is-${poll.state}`], testid: `poll-row-${poll.id}`, dataset: { state: poll.state } },
          h(
            "div",
            { class: "poll-row-main" },
            h("span", { class: ["badge", `badge-poll-${poll.state}`], testid: `poll-state-${poll.id}`, text: pollStateLabel(poll.state) }),
            h("span", { class: "poll-row-question", text: poll.question }),
            h("span", { class: "sub", text: [itemTitle(poll.agenda_item_id), poll.rule_label].filter(Boolean).join(" · ") }),
            result ? h("span", { class: ["sub", result.passed ? "text-ok" : "text-bad"], text: result.summary || result.verdict }) : null,
            poll.state === "annulled" && poll.annul_reason ? h("span", { class: "sub", text: t("reason", { reason: poll.annul_reason }) }) : null,
          ),
          this.buttonsFor(poll, false),
        );
      }),
    );
  }

  buttonsFor(poll, live) {
    if (!this.actions.canAct) return null;
    const suffix = live ? "" : `-${poll.id}`;
    const anotherOpen = this.state.poll && this.state.poll.state === "open" && this.state.poll.id !== poll.id;
    const buttons = [];
    if (poll.state === "draft") {
      buttons.push(
        h("button", {
          type: "button",
          class: "btn btn-primary",
          testid: `poll-open${suffix}`,
          disabled: Boolean(anotherOpen),
          title: anotherOpen ? t("another_open") : null,
          text: t("open_poll"),
          onclick: (ev) => this.actions.send("poll.open", { poll_id: poll.id }, ev.currentTarget),
        }),
      );
    }
    if (poll.state === "open") {
      buttons.push(
        h("button", {
          type: "button",
          class: "btn btn-primary",
          testid: `poll-close${suffix}`,
          text: t("close_poll"),
          onclick: (ev) => this.close(poll, ev.currentTarget),
        }),
      );
    }
    if (poll.state === "open" || poll.state === "closed") {
      buttons.push(
        h("button", {
          type: "button",
          class: "btn btn-danger-outline",
          testid: `poll-annul${suffix}`,
          text: t("annul_poll"),
          onclick: (ev) => this.annul(poll, ev.currentTarget),
        }),
      );
    }
    return buttons.length ? h("div", { class: "btn-row" }, buttons) : null;
  }

  async close(poll, button) {
    const ok = await confirmDialog({
      title: t("close_title"),
      message: t("close_message", { question: poll.question }),
      confirmLabel: t("close_poll"),
      testid: "close-dialog",
    });
    if (!ok) return;
    const answer = await this.actions.send("poll.close", { poll_id: poll.id }, button);
    if (answer.ok && answer.result) {
      this.state.results[poll.id] = answer.result;
      this.renderList();
    }
  }

  async annul(poll, button) {
    const reason = await confirmDialog({
      title: t("annul_title"),
      message: t("annul_message", { question: poll.question }),
      confirmLabel: t("annul_poll"),
      danger: true,
      reason: { label: t("annul_reason_label"), min: 3, max: 500 },
      testid: "annul-dialog",
    });
    if (!reason) return;
    await this.actions.send("poll.annul", { poll_id: poll.id, reason }, button);
  }
}
