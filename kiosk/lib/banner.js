/**
 * The connection banner and status pill: plain words for what the socket is doing.
 * The banner shows "Mất kết nối — đang kết nối lại…" while down and "Đã kết nối lại" for a
 * few seconds after recovery; the pill (in a header) always shows the current state.
 */
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const RECOVERED_VISIBLE_MS = 3000;

/**
 * @param {HTMLElement} bannerEl the page's `[data-testid=connection-banner]`
 * @param {HTMLElement|null} pillEl an optional status pill in the header
 * @returns {(status: string, detail?: object) => void} feed it RealtimeClient statuses
 */
export function connectionIndicator(bannerEl, pillEl) {
  let hideTimer = null;
  bannerEl.setAttribute("role", "status");
  bannerEl.setAttribute("aria-live", "polite");

  return function update(status, detail = {}) {
    clearTimeout(hideTimer);
    bannerEl.dataset.state = status;
    let text = "";
    if (status === "disconnected") text = t("conn_lost");
    else if (status === "reconnected") text = t("conn_back");
    else if (status === "denied") text = detail.message || t("err_connect_refused");
    replace(bannerEl, text);
    bannerEl.hidden = !text;
    if (status === "reconnected") {
      hideTimer = setTimeout(() => {
        bannerEl.hidden = true;
      }, RECOVERED_VISIBLE_MS);
    }
    if (pillEl) {
      const online = status === "connected" || status === "reconnected";
      pillEl.dataset.state = online ? "online" : status === "connecting" ? "connecting" : "offline";
      replace(
        pillEl,
        h("span", { class: "dot", "aria-hidden": "true" }),
        online ? t("conn_online") : status === "connecting" ? t("conn_connecting") : t("conn_offline"),
      );
    }
  };
}
