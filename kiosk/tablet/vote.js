/**
 * The tablet's voting panel: choose → confirm → sending → recorded, and the closed and annulled
 * views. "Đã ghi nhận" is shown only from the server's acknowledgement `ok: true` or from the
 * snapshot's `me.ballot`, never from the click.
 */
import { h, replace } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { newOpId } from "../lib/ids.js";
import { choiceClass } from "../lib/result.js";
import { optionLabel, pollOnStage } from "../lib/store.js";

const CAST_TIMEOUT_MS = 6000;
/** Questions longer than this get a smaller type so the three buttons stay on screen. */
const LONG_QUESTION = 90;

export class VotePanel {
  /**
   * @param {HTMLElement} el the panel
   * @param {import("../lib/realtime.js").RealtimeClient} client
   */
  constructor(el, client) {
    this.el = el;
    this.client = client;
    this.state = null;
    this.poll = null; // the poll on stage (see pollOnStage)
    this.pollId = null;
    this.ballots = new Map(); // poll_id → {poll_id, choice} as committed on the server
    this.phase = "none"; // none | choose | confirm | sending | recorded | error | closed | annulled
    this.choice = null; // the choice being confirmed or sent
    this.retrying = false;
    this.error = null;
    this.pending = null; // {cancelled} of the cast in flight
  }

  /** This delegate's committed ballot in the poll on stage, or null. */
  get ballot() {
    return this.pollId === null ? null : this.ballots.get(this.pollId) || null;
  }

  /** A fresh snapshot: its `me.ballot` is the truth about this delegate's ballot. */
  onSnapshot(state) {
    this.state = state;
    if (state.poll && !this.pending) {
      const ballot = state.me && state.me.ballot;
      if (ballot && ballot.poll_id === state.poll.id) this.ballots.set(state.poll.id, ballot);
      else this.ballots.delete(state.poll.id);
    }
    this.syncPoll();
    if (!this.pending && this.poll) {
      if (this.poll.state === "open" && this.phase !== "confirm" && this.phase !== "error") {
        this.phase = this.ballot ? "recorded" : "choose";
      }
    }
    this.render();
  }

  /** The state changed through an event. */
  onChange(state) {
    this.state = state;
    this.syncPoll();
    this.render();
  }

  /** Follow the shown poll: a new poll resets the panel; closing or annulling switches view. */
  syncPoll() {
    const poll = this.state ? pollOnStage(this.state) : null;
    this.poll = poll;
    if (!poll) {
      this.reset(null);
      this.phase = "none";
      return;
    }
    if (poll.id !== this.pollId) this.reset(poll.id);
    if (poll.state === "closed") this.phase = "closed";
    else if (poll.state === "annulled") this.phase = "annulled";
    else if (this.phase === "none" || this.phase === "closed" || this.phase === "annulled") {
      this.phase = this.ballot ? "recorded" : "choose";
    }
  }

  reset(pollId) {
    if (this.pending) this.pending.cancelled = true;
    this.pending = null;
    this.pollId = pollId;
    this.choice = null;
    this.error = null;
    this.retrying = false;
    this.phase = "none"; // syncPoll() picks the view for the new poll
  }

  /** Stop everything (sign-out). */
  dispose() {
    this.reset(null);
    this.ballots.clear();
    this.phase = "none";
  }

  pick(value) {
    this.choice = value;
    this.error = null;
    this.phase = "confirm";
    this.render();
  }

  async cast() {
    const poll = this.poll;
    const choice = this.choice;
    const token = { cancelled: false };
    this.pending = token;
    this.phase = "sending";
    this.retrying = false;
    this.error = null;
    this.render();
    // A fresh op_id per decision; the automatic retries below reuse it, so a ballot that did
    // reach the server is answered again, not counted twice.
    const payload = { op_id: newOpId(), poll_id: poll.id, choice };
    const answer = await this.client.request("ballot.cast", payload, {
      timeout: CAST_TIMEOUT_MS,
      retries: Infinity,
      cancelled: () => token.cancelled,
      onRetry: () => {
        if (token.cancelled) return;
        this.retrying = true;
        this.render();
      },
    });
    if (token.cancelled) return;
    this.pending = null;
    this.retrying = false;
    // If the poll closed meanwhile, syncPoll() below switches to the closed view, which then
    // shows the recorded choice or why it was refused.
    if (answer.ok) {
      this.ballots.set(poll.id, answer.ballot || { poll_id: poll.id, choice });
      if (this.phase === "sending") this.phase = "recorded";
    } else {
      this.error = answer.error || { code: "unknown", message: t("err_unknown") };
      if (this.phase === "sending") this.phase = "error";
    }
    this.syncPoll();
    this.render();
  }

  render() {
    const poll = this.poll;
    this.el.dataset.phase = this.phase;
    const view = {
      none: () => this.viewNone(),
      choose: () => this.viewChoose(poll),
      confirm: () => this.viewConfirm(poll),
      sending: () => this.viewSending(poll),
      recorded: () => this.viewRecorded(poll),
      error: () => this.viewError(poll),
      closed: () => this.viewClosed(poll),
      annulled: () => this.viewAnnulled(poll),
    }[this.phase];
    replace(this.el, view ? view() : null);
  }

  question(poll, big = true) {
    const size = !big ? "small" : poll.question.length > LONG_QUESTION ? "long" : null;
    return h("p", { class: ["vote-question", size], testid: "vote-question", text: poll.question });
  }

  notPresentWarning() {
    const me = this.state.me;
    if (!me || me.present !== false) return null;
    return h("p", { class: "notice notice-warn", testid: "vote-not-present", text: t("not_present_warning") });
  }

  viewNone() {
    return h(
      "div",
      { class: "vote-idle", testid: "vote-idle" },
      h("p", { class: "vote-idle-title", text: t("no_poll") }),
      h("p", { class: "muted", text: t("no_poll_hint") }),
    );
  }

  viewChoose(poll) {
    const current = this.ballot ? optionLabel(poll, this.ballot.choice) : null;
    return [
      h("p", { class: "kicker kicker-live", text: t("voting_now") }),
      this.question(poll),
      this.notPresentWarning(),
      current ? h("p", { class: "vote-current", text: t("current_choice", { choice: current }) }) : null,
      h(
        "div",
        { class: "vote-buttons" },
        poll.options.map((option) =>
          h("button", {
            type: "button",
            class: ["vote-btn", choiceClass(option.value), this.ballot && this.ballot.choice === option.value && "is-current"],
            testid: `vote-${option.value}`,
            dataset: { choice: option.value },
            text: option.label,
            onclick: () => this.pick(option.value),
          }),
        ),
      ),
      this.ballot
        ? h("button", {
            type: "button",
            class: "btn btn-secondary btn-xl",
            testid: "vote-keep",
            text: t("keep_choice"),
            onclick: () => {
              this.phase = "recorded";
              this.render();
            },
          })
        : null,
    ];
  }

  viewConfirm(poll) {
    const label = optionLabel(poll, this.choice);
    return [
      this.question(poll, false),
      h(
        "div",
        { class: ["confirm-box", choiceClass(this.choice)], testid: "vote-confirm-box" },
        h("p", { class: "confirm-text", text: t("confirm_choice", { choice: label }) }),
      ),
      h(
        "div",
        { class: "confirm-actions" },
        h("button", {
          type: "button",
          class: "btn btn-secondary btn-xl",
          testid: "vote-back",
          text: t("choose_again"),
          onclick: () => {
            this.phase = "choose";
            this.render();
          },
        }),
        h("button", {
          type: "button",
          class: "btn btn-primary btn-xl",
          testid: "vote-confirm",
          text: t("confirm"),
          onclick: () => this.cast(),
        }),
      ),
    ];
  }

  viewSending(poll) {
    return [
      this.question(poll, false),
      h(
        "div",
        { class: "status-box status-sending", testid: "vote-sending", role: "status" },
        h("span", { class: "spinner", "aria-hidden": "true" }),
        h("p", { text: this.retrying ? t("resending") : t("sending") }),
        h("p", { class: "muted", text: t("you_chose", { choice: optionLabel(poll, this.choice) }) }),
      ),
    ];
  }

  viewRecorded(poll) {
    const label = optionLabel(poll, this.ballot.choice);
    return [
      this.question(poll, false),
      h(
        "div",
        { class: ["status-box", "status-recorded", choiceClass(this.ballot.choice)], testid: "vote-recorded", dataset: { choice: this.ballot.choice }, role: "status" },
        h("span", { class: "check", "aria-hidden": "true", text: "✓" }),
        h("p", { class: "recorded-text", text: t("recorded", { choice: label }) }),
      ),
      h("p", { class: "muted center", text: t("can_change_hint") }),
      h("button", {
        type: "button",
        class: "btn btn-secondary btn-xl",
        testid: "vote-change",
        text: t("change_choice"),
        onclick: () => {
          this.phase = "choose";
          this.render();
        },
      }),
    ];
  }

  viewError(poll) {
    return [
      this.question(poll, false),
      h(
        "div",
        { class: "status-box status-error", testid: "vote-error", role: "alert", dataset: { code: this.error.code || "" } },
        h("p", { class: "error-title", text: t("not_recorded") }),
        h("p", { text: this.error.message || t("err_unknown") }),
      ),
      h(
        "div",
        { class: "confirm-actions" },
        h("button", {
          type: "button",
          class: "btn btn-secondary btn-xl",
          testid: "vote-back",
          text: t("choose_again"),
          onclick: () => {
            this.phase = "choose";
            this.render();
          },
        }),
        h("button", {
          type: "button",
          class: "btn btn-primary btn-xl",
          testid: "vote-retry",
          text: t("retry"),
          onclick: () => this.cast(),
        }),
      ),
    ];
  }

  myChoiceLine(poll) {
    if (this.pending) return h("p", { class: "my-choice", testid: "vote-my-choice", text: t("sending") });
    const text = this.ballot
      ? t("your_choice", { choice: optionLabel(poll, this.ballot.choice) })
      : t("you_did_not_vote");
    return h("p", { class: "my-choice", testid: "vote-my-choice", text });
  }

  viewClosed(poll) {
    const result = this.state.result && (this.state.result.poll_id === undefined || this.state.result.poll_id === poll.id) ? this.state.result : null;
    return [
      h("p", { class: "kicker", testid: "vote-closed", text: t("poll_ended") }),
      this.question(poll, false),
      result
        ? h(
            "div",
            { class: ["result-box", result.passed ? "passed" : "failed"] },
            h("p", { class: "verdict", testid: "vote-verdict", text: result.verdict }),
            h("ul", { class: "result-lines" }, (result.lines || []).map((line) => h("li", { text: line }))),
          )
        : null,
      this.myChoiceLine(poll),
      this.error && this.error.code === "poll_closed"
        ? h("p", { class: "notice notice-error", role: "alert", text: this.error.message })
        : null,
    ];
  }

  viewAnnulled(poll) {
    return [
      h("p", { class: "kicker kicker-warn", testid: "vote-annulled", text: t("poll_annulled") }),
      this.question(poll, false),
      poll.annul_reason ? h("p", { class: "annul-reason", text: t("reason", { reason: poll.annul_reason }) }) : null,
    ];
  }
}
