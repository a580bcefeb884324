/** Delegate tablet (/tablet): sign-in, then agenda, attendance and voting for one meeting. */
import { connectionIndicator } from "./lib/banner.js";
import { confirmDialog } from "./lib/dialog.js";
import { $, h, replace } from "./lib/dom.js";
import { getJson, postJson } from "./lib/http.js";
import { t } from "./lib/i18n.js";
import { RealtimeClient } from "./lib/realtime.js";
import { applyEvent, currentItem, emptyState, fromSnapshot } from "./lib/store.js";
import { SignInScreen } from "./tablet/signin.js";
import { VotePanel } from "./tablet/vote.js";

const BOOT_RETRY_MS = 3000;

class TabletApp {
  constructor() {
    this.mainScreen = $("#screen-main");
    this.banner = $("#connection-banner");
    this.indicate = connectionIndicator(this.banner, $("#connection-status"));
    this.signIn = new SignInScreen($("#screen-signin"), (answer) => this.enter(answer));
    this.client = null;
    this.votes = null;
    this.state = emptyState();
    this.profile = null; // delegate and meeting from the sign-in answer, until a snapshot comes
    $("#signout").addEventListener("click", () => this.signOut());
  }

  async boot() {
    // A tablet switched on before the server (or during a restart) waits for it rather than
    // showing the sign-in form to a delegate who is in fact still signed in.
    for (;;) {
      const answer = await getJson("/api/session");
      if (answer.ok) {
        this.banner.hidden = true;
        const principal = answer.principal;
        if (principal && principal.kind === "delegate") this.enter(null);
        else this.showSignIn();
        return;
      }
      this.indicate("disconnected");
      await new Promise((resolve) => setTimeout(resolve, BOOT_RETRY_MS));
    }
  }

  showSignIn(message) {
    this.stopRealtime();
    this.mainScreen.hidden = true;
    this.banner.hidden = true;
    document.body.dataset.screen = "signin";
    this.signIn.show(message);
  }

  /** Switch to the meeting screen and connect. `answer` is the sign-in answer, if any. */
  enter(answer) {
    this.signIn.hide();
    this.profile = answer ? { delegate: answer.delegate, meeting: answer.meeting } : null;
    this.state = emptyState();
    this.mainScreen.hidden = false;
    document.body.dataset.screen = "main";
    this.stopRealtime();
    this.client = new RealtimeClient({
      onSnapshot: (snapshot) => {
        this.state = fromSnapshot(snapshot);
        this.votes.onSnapshot(this.state);
        this.render();
      },
      onEvent: (name, payload) => {
        applyEvent(this.state, name, payload);
        this.votes.onChange(this.state);
        this.render();
      },
      onStatus: (status, detail) => {
        if (status === "denied") {
          this.showSignIn(detail.code === "unauthenticated" ? t("session_ended") : detail.message);
          return;
        }
        this.indicate(status, detail);
      },
      onRevoked: (payload) => this.showSignIn(payload.message || t("session_ended")),
    });
    this.votes = new VotePanel($("#vote-panel"), this.client);
    this.votes.render();
    this.render();
    this.client.start();
  }

  stopRealtime() {
    if (this.votes) this.votes.dispose();
    if (this.client) this.client.stop();
    this.client = null;
  }

  async signOut() {
    const ok = await confirmDialog({
      title: t("signout_title"),
      message: t("signout_message"),
      confirmLabel: t("signout"),
      testid: "signout-dialog",
    });
    if (!ok) return;
    const answer = await postJson("/api/tablet/sign-out", {});
    if (!answer.ok && answer.error && answer.error.code !== "unauthenticated") {
      replace($("#main-notice"), answer.error.message);
      $("#main-notice").hidden = false;
      return;
    }
    this.showSignIn(t("signed_out"));
  }

  render() {
    const me = (this.state.me && this.state.me.delegate) || (this.profile && this.profile.delegate) || null;
    const meeting = this.state.meeting || (this.profile && this.profile.meeting) || null;
    replace($("#delegate-name"), me ? me.name : "…");
    replace($("#delegate-seat"), me && me.seat ? t("seat", { seat: me.seat }) : "");
    replace($("#meeting-title"), meeting ? meeting.title : "");
    replace($("#council-name"), meeting && meeting.council ? meeting.council.name : "");
    $("#main-notice").hidden = true;
    this.renderAttendance();
    this.renderAgenda();
  }

  renderAttendance() {
    const a = this.state.attendance;
    const el = $("#attendance-line");
    if (!a) {
      replace(el);
      return;
    }
    const me = this.state.me;
    replace(
      el,
      h("span", { text: t("attendance_line", { present: a.present, total: a.total }) }),
      " ",
      h("span", {
        class: ["badge", a.has_quorum ? "badge-ok" : "badge-warn"],
        text: a.has_quorum ? t("quorum_ok") : t("quorum_missing"),
      }),
      me && me.present === false ? h("span", { class: "badge badge-warn", text: t("you_absent") }) : null,
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
      this.state.agenda.map((item) =>
        h(
          "li",
          {
            class: ["agenda-item", `is-${item.state}`, current && current.id === item.id && "is-current"],
            testid: current && current.id === item.id ? "agenda-current" : null,
            "aria-current": current && current.id === item.id ? "step" : null,
          },
          h("span", { class: "agenda-order", text: item.order }),
          h(
            "span",
            { class: "agenda-text" },
            h("span", { class: "agenda-title", text: item.title }),
            item.presenter ? h("span", { class: "agenda-presenter", text: item.presenter }) : null,
            current && current.id === item.id ? h("span", { class: "badge badge-live", text: t("current_item") }) : null,
          ),
        ),
      ),
    );
    const active = list.querySelector(".is-current");
    if (active) active.scrollIntoView({ block: "nearest" });
  }
}

new TabletApp().boot();
