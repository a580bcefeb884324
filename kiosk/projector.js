/** Projector (/projector/meetings/<id>): a 16:9 dark screen for the back of the hall. */
import { connectionIndicator } from "./lib/banner.js";
import { readJson } from "./lib/config.js";
import { $, h, replace } from "./lib/dom.js";
import { formatTime, t } from "./lib/i18n.js";
import { RealtimeClient } from "./lib/realtime.js";
import { countsVisible, progressLine, resultBlock, tallyBars, tallyOrZero } from "./lib/result.js";
import { applyEvent, currentItem, emptyState, fromSnapshot, pollOnStage } from "./lib/store.js";

const CURSOR_IDLE_MS = 3000;
/** Questions longer than this get a smaller type so that the bars still fit the screen. */
const LONG_QUESTION = 90;
/** The smallest scale fit() goes down to; below it text would no longer carry across the hall. */
const MIN_FIT = 0.6;

class ProjectorApp {
  constructor(config) {
    this.state = emptyState();
    this.bars = null;
    this.barsPollId = null;
    this.indicate = connectionIndicator($("#connection-banner"), null);
    this.client = new RealtimeClient({
      auth: config.meeting_id ? { meeting_id: config.meeting_id } : {},
      onSnapshot: (snapshot) => {
        this.state = fromSnapshot(snapshot);
        this.render();
      },
      onEvent: (name, payload) => {
        applyEvent(this.state, name, payload);
        if (name === "poll.tally") this.updateTally();
        else this.render();
      },
      onStatus: (status, detail) => this.indicate(status, detail),
    });
    this.wireScreen();
  }

  start() {
    window.addEventListener("resize", () => this.fit());
    this.render();
    this.client.start();
    this.tickClock();
    setInterval(() => this.tickClock(), 15000);
  }

  /** Full screen on demand; the pointer and the button hide when the mouse rests. */
  wireScreen() {
    const button = $("#fullscreen");
    const canFull = Boolean(document.documentElement.requestFullscreen);
    button.hidden = !canFull;
    button.addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
    });
    document.addEventListener("fullscreenchange", () => {
      button.hidden = !canFull || Boolean(document.fullscreenElement);
    });
    let idle = null;
    const wake = () => {
      document.body.classList.remove("pointer-idle");
      clearTimeout(idle);
      idle = setTimeout(() => document.body.classList.add("pointer-idle"), CURSOR_IDLE_MS);
    };
    document.addEventListener("mousemove", wake);
    wake();
  }

  tickClock() {
    replace($("#proj-clock"), formatTime(new Date().toISOString()));
  }

  view(poll) {
    if (!poll) return "idle";
    return poll.state; // open | closed | annulled
  }

  render() {
    const s = this.state;
    const poll = pollOnStage(s);
    const view = this.view(poll);
    document.body.dataset.view = view;
    $("#projector").dataset.view = view;
    if (s.meeting) {
      replace($("#proj-council"), s.meeting.council ? s.meeting.council.name : "");
      replace($("#proj-meeting"), s.meeting.title);
      document.title = s.meeting.title;
    }
    const item = currentItem(s);
    const itemEl = $("#proj-item");
    itemEl.hidden = !item || view === "idle";
    replace(itemEl, item ? [h("span", { class: "label", text: t("current_item_label") }), " ", h("span", { text: item.title })] : null);
    this.renderFooter();
    this.bars = null;
    this.barsPollId = null;
    const main = $("#proj-main");
    if (view === "open") replace(main, this.viewOpen(poll));
    else if (view === "closed") replace(main, this.viewClosed(poll));
    else if (view === "annulled") replace(main, this.viewAnnulled(poll));
    else replace(main, this.viewIdle(item));
    this.fit();
  }

  /** Shrink the main area's type step by step until nothing overflows the 16:9 stage. */
  fit() {
    const main = $("#proj-main");
    let scale = 1;
    main.style.setProperty("--fit", "1");
    while (main.scrollHeight > main.clientHeight + 1 && scale > MIN_FIT) {
      scale = Math.round((scale - 0.05) * 100) / 100;
      main.style.setProperty("--fit", String(scale));
    }
  }

  renderFooter() {
    const a = this.state.attendance;
    replace(
      $("#proj-attendance"),
      a
        ? [
            h("span", { testid: "proj-attendance-line", text: t("attendance_line", { present: a.present, total: a.total }) }),
            " ",
            h("span", { class: ["badge", a.has_quorum ? "badge-ok" : "badge-warn"], testid: "proj-quorum", text: a.has_quorum ? t("quorum_ok") : t("quorum_missing") }),
          ]
        : null,
    );
  }

  viewIdle(item) {
    const s = this.state;
    const a = s.attendance;
    return h(
      "div",
      { class: "proj-idle", testid: "proj-idle" },
      h("p", { class: "proj-idle-title", text: s.meeting ? s.meeting.title : t("loading") }),
      item
        ? h("div", { class: "proj-idle-item" }, h("p", { class: "label", text: t("current_item_label") }), h("p", { class: "proj-idle-item-title", testid: "proj-current-item", text: item.title }))
        : null,
      a
        ? h(
            "p",
            { class: "proj-idle-attendance" },
            t("quorum_required", { n: a.quorum_required, total: a.total }),
          )
        : null,
    );
  }

  viewOpen(poll) {
    const tally = tallyOrZero(this.state);
    const parts = [
      h("p", { class: "proj-kicker live", testid: "proj-voting" }, h("span", { class: "live-dot", "aria-hidden": "true" }), t("voting_now")),
      h("p", { class: ["proj-question", poll.question.length > LONG_QUESTION && "long"], testid: "proj-question", text: poll.question }),
    ];
    if (countsVisible(poll)) {
      this.bars = tallyBars(poll);
      this.bars.update(tally);
      this.barsPollId = poll.id;
      parts.push(this.bars.el);
    }
    parts.push(progressLine(tally, "proj-progress"));
    return parts;
  }

  updateTally() {
    const poll = pollOnStage(this.state);
    if (!poll || poll.state !== "open" || this.barsPollId !== poll.id) {
      this.render();
      return;
    }
    const tally = tallyOrZero(this.state);
    this.bars.update(tally);
    const line = $("#proj-main").querySelector("[data-testid=proj-progress]");
    if (line) line.replaceWith(progressLine(tally, "proj-progress"));
    this.fit();
  }

  viewClosed(poll) {
    const result = this.state.results[poll.id] || (this.state.poll && this.state.poll.id === poll.id ? this.state.result : null);
    return [
      h("p", { class: "proj-kicker", testid: "proj-closed", text: t("poll_ended") }),
      h("p", { class: "proj-question small", testid: "proj-question", text: poll.question }),
      result ? resultBlock(result, { summary: false }) : h("p", { class: "muted", text: t("result_pending") }),
    ];
  }

  viewAnnulled(poll) {
    return [
      h("p", { class: "proj-kicker warn", testid: "proj-annulled", text: t("poll_annulled") }),
      h("p", { class: "proj-question small", testid: "proj-question", text: poll.question }),
      h("p", { class: "proj-annul-reason", testid: "proj-annul-reason", text: t("reason", { reason: poll.annul_reason || "" }) }),
    ];
  }
}

new ProjectorApp(readJson("page-config", {})).start();
