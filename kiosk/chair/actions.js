/** Sending the chair's events: a fresh op_id per decision, retried with the same op_id. */
import { newOpId } from "../lib/ids.js";
import { t } from "../lib/i18n.js";

export class Actions {
  /**
   * @param {import("../lib/realtime.js").RealtimeClient} client
   * @param {{error: (msg: string) => void, info: (msg: string) => void}} notify
   * @param {boolean} canAct
   */
  constructor(client, notify, canAct) {
    this.client = client;
    this.notify = notify;
    this.canAct = canAct;
  }

  /**
   * Emit `event` and report a refusal. The button (if given) is disabled meanwhile so that a
   * double click cannot send a second decision with another op_id.
   * @returns {Promise<object>} the acknowledgement
   */
  async send(event, payload, button) {
    if (!this.canAct) return { ok: false, error: { code: "forbidden", message: t("read_only") } };
    if (button) button.disabled = true;
    try {
      const answer = await this.client.request(
        event,
        { op_id: newOpId(), ...payload },
        { retries: 4, onRetry: () => this.notify.info(t("resending")) },
      );
      if (!answer.ok) {
        const error = answer.error || {};
        this.notify.error(error.message || t("err_unknown"), error.code);
      }
      return answer;
    } finally {
      if (button && button.isConnected) button.disabled = false;
    }
  }
}
