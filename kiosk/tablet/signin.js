/** The tablet's sign-in screen: card code (typed or scanned), PIN keypad, POST /api/tablet/sign-in. */
import { $, h, replace } from "../lib/dom.js";
import { postJson } from "../lib/http.js";
import { t } from "../lib/i18n.js";
import { deviceId, deviceLabel } from "../lib/ids.js";
import { QrScanner, cameraAvailable } from "./scanner.js";

const PIN_MAX = 8;

export class SignInScreen {
  /**
   * @param {HTMLElement} root the `#screen-signin` section rendered by tablet.html
   * @param {(answer: object) => void} onSignedIn called with the sign-in answer
   */
  constructor(root, onSignedIn) {
    this.root = root;
    this.onSignedIn = onSignedIn;
    this.form = $("#signin-form", root);
    this.card = $("#card-code", root);
    this.pin = $("#pin", root);
    this.error = $("#signin-error", root);
    this.submit = $("#signin-submit", root);
    this.scanBox = $("#scanner", root);
    this.scanStatus = $("#scanner-status", root);
    this.scanButton = $("#scan-start", root);
    this.scanner = new QrScanner($("#scanner-video", root), (code) => this.onScanned(code));
    this.busy = false;

    replace($("#device-label", root), deviceLabel(t("device_label_default")));
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.signIn();
    });
    for (const key of root.querySelectorAll("[data-key]")) {
      key.addEventListener("click", () => this.press(key.dataset.key));
    }
    this.pin.addEventListener("input", () => {
      this.pin.value = this.pin.value.replace(/\D/g, "").slice(0, PIN_MAX);
    });
    this.card.addEventListener("keydown", (ev) => {
      // Enter after typing the card code moves on to the PIN instead of submitting half a form.
      if (ev.key === "Enter" && !this.pin.value) {
        ev.preventDefault();
        this.pin.focus();
      }
    });
    this.scanButton.addEventListener("click", () => this.startScan());
    $("#scan-stop", root).addEventListener("click", () => this.stopScan());
    if (!cameraAvailable()) {
      this.scanButton.disabled = true;
      this.scanButton.title = t("camera_unavailable");
    }
  }

  /** Show the screen, optionally with a message (why the previous session ended). */
  show(message) {
    this.root.hidden = false;
    window.scrollTo(0, 0);
    this.pin.value = "";
    this.showError(message || "");
    this.submit.disabled = false;
    this.busy = false;
    (this.card.value ? this.pin : this.card).focus({ preventScroll: true });
  }

  hide() {
    this.stopScan();
    this.root.hidden = true;
  }

  press(key) {
    if (key === "back") this.pin.value = this.pin.value.slice(0, -1);
    else if (key === "clear") this.pin.value = "";
    else if (/^\d$/.test(key) && this.pin.value.length < PIN_MAX) this.pin.value += key;
    this.showError("");
  }

  showError(message) {
    replace(this.error, message ? h("strong", { text: message }) : null);
    this.error.hidden = !message;
    if (!message) this.error.dataset.code = "";
  }

  async startScan() {
    this.showError("");
    this.scanBox.hidden = false;
    this.scanButton.hidden = true;
    replace(this.scanStatus, t("scan_hint"));
    try {
      await this.scanner.start();
    } catch (err) {
      console.warn("camera", err);
      this.stopScan();
      this.showError(t("camera_failed"));
    }
  }

  stopScan() {
    this.scanner.stop();
    this.scanBox.hidden = true;
    this.scanButton.hidden = false;
  }

  onScanned(code) {
    this.stopScan();
    this.card.value = code;
    this.showError("");
    this.pin.focus({ preventScroll: true });
  }

  async signIn() {
    if (this.busy) return;
    const cardCode = this.card.value.trim();
    const pin = this.pin.value.trim();
    if (!cardCode) {
      this.showError(t("need_card"));
      this.card.focus();
      return;
    }
    if (!/^\d{4,8}$/.test(pin)) {
      this.showError(t("need_pin"));
      return;
    }
    this.busy = true;
    this.submit.disabled = true;
    replace(this.submit, t("signing_in"));
    const answer = await postJson("/api/tablet/sign-in", {
      card_code: cardCode,
      pin,
      device_id: deviceId(),
      device_label: deviceLabel(t("device_label_default")),
    });
    this.busy = false;
    this.submit.disabled = false;
    replace(this.submit, t("sign_in"));
    if (answer.ok) {
      // Nothing of this delegate's card stays on the screen for whoever signs in next.
      this.card.value = "";
      this.pin.value = "";
      this.showError("");
      this.onSignedIn(answer);
      return;
    }
    this.pin.value = "";
    const error = answer.error || {};
    // The server's message already says what to do (attempts left, minutes to wait); the
    // structured details go on data attributes for tests and kiosk tooling.
    const details = error.details || {};
    this.showError(error.message || t("err_unknown"));
    this.error.dataset.code = error.code || "";
    this.error.dataset.attemptsLeft = details.attempts_left ?? "";
    this.error.dataset.retryAfter = details.retry_after ?? "";
  }
}
