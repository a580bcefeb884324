/** Chair console (/chair/meetings/<id>): attendance, agenda, polls and delegates, live. */
import { Actions } from "./chair/actions.js";
import { renderDelegates } from "./chair/delegates.js";
import { PollPanel } from "./chair/polls.js";
import { connectionIndicator } from "./lib/banner.js";
import { readJson } from "./lib/config.js";
import { $, h, replace } from "./lib/dom.js";
import { t } from "./lib/i18n.js";
import { RealtimeClient } from "./lib/realtime.js";
import { applyEvent, currentItem, emptyState, fromSnapshot } from "./lib/store.js";

const INFO_VISIBLE_MS = 4000;

class Notifier {
  constructor(el) {
    this.el = el;
    this.timer = null;
  }

  show(kind, message, code) {
    clearTimeout(this.timer);
    this.el.dataset.kind = kind;
    this.el.dataset.code = code || "";
    replace(
      this.el,
      h("span", { text: message }),
      h("button", { type: "button", class: "btn-close", "aria-label": t("dismiss"), text: "×", onclick: () => (this.el.hidden = true) }),
    );
    this.el.hidden = false;
    if (kind === "info") this.timer = setTimeout(() => (this.el.hidden = true), INFO_VISIBLE_MS);
  }

  error(message, code) {
    this.show("error", message, code);
  }

  info(message) {
    this.show("info", message);
  }
}

class ChairApp {
  constructor(config) {
    this.config = config;
    this.canAct = Boolean(config.can_act);
    this.state = emptyState();
    this.notify = new Notifier($("#chair-message"));
    this.indicate = connectionIndicator($("#connection-banner"), $("#connection-status"));
    this.client = new RealtimeClient({
      auth: { meeting_id: config.meeting_id },
      onSnapshot: (snapshot) => {
        this.state = fromSnapshot(snapshot);
        this.render();
      },
      onEvent: (name, payload) => this.onEvent(name, payload),
      onNotice: (name, payload) => this.onNotice(name, payload),
      onStatus: (status, detail) => {
        this.indicate(status, detail);
        if (status === "denied") this.notify.error(detail.message || t("err_connect_refused"), detail.code);
      },
    });
    this.actions = new Actions(this.client, this.notify, this.canAct);
    this.polls = new PollPanel(
      {
        live: $("#poll-live"),
        list: $("#poll-list"),
        form: $("#poll-form"),
        item: $("#poll-item"),
        question: $("#poll-question"),
        rule: $("#poll-rule"),
        create: $("#poll-create"),
      },
      this.actions,
    );
    document.body.classList.toggle("read-only", !this.canAct);
    $("#read-only-note").hidden = this.canAct;
  }

  start() {
    this.render();
    this.client.start();
  }

  onEvent(name, payload) {
    applyEvent(this.state, name, payload);
    if (name === "poll.tally") {
      this.polls.updateTally(this.state);
      return;
    }
    if (name === "delegate.updated") {
      renderDelegates($("#delegates-body"), this.state, this.actions);
      return;
    }
    this.render();
  }

  /** A record is ready to sign: list it with a link to its page. */
  onNotice(name, payload) {
    if (name !== "document.ready" || typeof payload.document_id !== "number") return;
    const list = $("#documents-ready");
    if (!list || list.querySelector(`[data-document="${payload.document_id}"]`)) return;
    list.hidden = false;
    list.append(
      h(
        "li",
        { "data-document": String(payload.document_id), testid: "document-ready" },
        h("a", { href: `/documents/${payload.document_id}`, text: payload.title || t("record_ready") }),
      ),
    );
    this.notify.info(t("record_ready"));
  }

  render() {
    const s = this.state;
    if (s.meeting) {
      replace($("#meeting-title"), s.meeting.title);
      replace($("#council-name"), s.meeting.council ? s.meeting.council.name : "");
      replace($("#meeting-state"), t(`meeting_state_${s.meeting.state}`));
      document.title = `${s.meeting.title} — ${t("chair_console")}`;
    }
    this.renderAttendance();
    this.renderAgenda();
    this.polls.update(s);
    renderDelegates($("#delegates-body"), s, this.actions);
  }

  renderAttendance() {
    const a = this.state.attendance;
    const el = $("#attendance-panel");
    if (!a) {
      replace(el, h("p", { class: "muted", text: t("loading") }));
      return;
    }
    replace(
      el,
      h(
        "p",
        { class: "attendance-big" },
        h("strong", { testid: "attendance-present", text: a.present }),
        h("span", { text: " / " }),
        h("span", { testid: "attendance-total", text: a.total }),
        h("span", { class: "unit", text: ` ${t("delegates_present")}` }),
      ),
      h(
        "p",
        {},
        h("span", {
          class: ["badge", "badge-lg", a.has_quorum ? "badge-ok" : "badge-warn"],
          testid: "quorum-badge",
          dataset: { hasQuorum: String(Boolean(a.has_quorum)) },
          text: a.has_quorum ? t("quorum_ok") : t("quorum_missing"),
        }),
      ),
      h("p", { class: "muted", text: t("quorum_required", { n: a.quorum_required, total: a.total }) }),
    );
  }

  renderAgenda() {
    const list = $("#agenda-list");
    const current = currentItem(this.state);
    if (!this.state.agenda.length) {
      replace(list, h("li", { class: "muted", text: this.state.meeting ? t("agenda_empty") : t("loading") }));
      return;
    }
    replace(
      list,
      this.state.agenda.map((item) => {
        const isCurrent = Boolean(current && current.id === item.id);
        return h(
          "li",
          { class: ["agenda-item", `is-${item.state}`, isCurrent && "is-current"], testid: `agenda-item-${item.id}`, "aria-current": isCurrent ? "step" : null },
          h("span", { class: "agenda-order", text: item.order }),
          h(
            "span",
            { class: "agenda-text" },
            h("span", { class: "agenda-title", text: item.title }),
            item.presenter ? h("span", { class: "agenda-presenter", text: item.presenter }) : null,
          ),
          isCurrent
            ? h("span", { class: "badge badge-live", text: t("current_item") })
            : this.canAct
              ? h("button", {
                  type: "button",
                  class: "btn btn-small btn-secondary",
                  testid: `agenda-select-${item.id}`,
                  text: t("select_item"),
                  onclick: (ev) => this.actions.send("agenda.select", { item_id: item.id }, ev.currentTarget),
                })
              : null,
        );
      }),
    );
  }
}

const config = readJson("page-config", {});
if (!config.meeting_id) {
  console.error("chair page without meeting_id");
} else {
  new ChairApp(config).start();
}
