/**
 * The Socket.IO client every page shares (docs/protocol.md §4).
 *
 * - Calls `state.snapshot` after every (re)connect and replaces the page's whole state.
 * - Tracks the meeting's `seq`: applies `last + 1`; applies a full-picture event (`poll.tally`,
 *   `attendance.summary`, `delegate.updated`) with `seq == last`; on a gap or a lower seq asks
 *   for a new snapshot.
 * - `request()` emits with an acknowledgement timeout and retries with the SAME payload (so the
 *   same `op_id`): the server answers a repeated op_id with its first answer and no second effect.
 */
import { io } from "socket.io-client";
import { t } from "./i18n.js";

/** Events that carry the current seq without taking a new one (protocol §4.2). */
const FULL_PICTURE = new Set(["poll.tally", "attendance.summary", "delegate.updated"]);

/** Every server→client event the pages understand (protocol §4.4; `session.revoked` apart). */
export const SERVER_EVENTS = [
  "poll.created",
  "poll.opened",
  "poll.tally",
  "poll.closed",
  "poll.annulled",
  "agenda.current",
  "attendance.summary",
  "delegate.updated",
];

/** Server→client notices outside the seq rules (protocol §4.4). */
export const NOTICE_EVENTS = ["document.ready"];

/** connect_error codes that retrying cannot fix. */
const FATAL_CONNECT_CODES = new Set(["unauthenticated", "forbidden", "wrong_meeting", "meeting_not_found", "invalid_payload"]);

const ACK_TIMEOUT_MS = 8000;
const SNAPSHOT_TIMEOUT_MS = 10000;

/** A pause that a `stop()` does not need to cancel: the loops check `this.stopped`. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class RealtimeClient {
  /**
   * @param {object} options
   * @param {object} [options.auth] the connection `auth` object (staff: `{meeting_id}`)
   * @param {(snapshot: object) => void} options.onSnapshot replaces the page's state
   * @param {(name: string, payload: object) => void} options.onEvent applies one event
   * @param {(status: string, detail?: object) => void} [options.onStatus]
   *   "connecting" | "connected" | "reconnected" | "disconnected" | "denied"
   * @param {(payload: object) => void} [options.onRevoked] `session.revoked` arrived
   */
  constructor({ auth, onSnapshot, onEvent, onStatus, onRevoked, onNotice }) {
    this.onSnapshot = onSnapshot;
    this.onNotice = onNotice || (() => {});
    this.onEvent = onEvent;
    this.onStatus = onStatus || (() => {});
    this.onRevoked = onRevoked || (() => {});
    this.auth = auth || {};
    this.seq = null;
    this.resyncing = false;
    this.resyncAgain = false;
    this.queue = [];
    this.everConnected = false;
    this.stopped = false;
    this.socket = null;
    this.status = "connecting";
  }

  /** Open the connection. */
  start() {
    this.stopped = false;
    this.socket = io({
      path: "/socket.io/",
      transports: ["websocket", "polling"],
      tryAllTransports: true, // a LAN proxy that blocks websockets falls back to long-polling
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: 10000,
      withCredentials: true,
      auth: this.auth,
    });
    const socket = this.socket;

    socket.on("connect", () => {
      this.setStatus(this.everConnected ? "reconnected" : "connected");
      this.everConnected = true;
      this.resync();
    });

    socket.on("disconnect", (reason) => {
      if (this.stopped) return;
      this.setStatus("disconnected", { reason });
      if (reason === "io server disconnect") {
        // The server closed this socket on purpose (for example after a restart of the worker);
        // Socket.IO will not reconnect by itself in that case. A revoked tablet was stopped already.
        setTimeout(() => {
          if (!this.stopped && !socket.connected) socket.connect();
        }, 1500);
      }
    });

    socket.on("connect_error", (err) => {
      if (this.stopped) return;
      const data = err && err.data && typeof err.data === "object" ? err.data : null;
      if (!socket.active) {
        // Refused by the server's connect handler, so the manager will not retry on its own.
        const code = data && data.code ? data.code : "connect_refused";
        if (FATAL_CONNECT_CODES.has(code)) {
          this.setStatus("denied", { code, message: (data && data.message) || t("err_connect_refused") });
          return;
        }
        this.setStatus("disconnected", { code });
        setTimeout(() => {
          if (!this.stopped && !socket.connected) socket.connect();
        }, 3000);
        return;
      }
      this.setStatus("disconnected", { reason: err && err.message });
    });

    socket.on("session.revoked", (payload) => {
      this.stop();
      this.onRevoked(payload || {});
    });

    for (const name of SERVER_EVENTS) {
      socket.on(name, (payload) => this.receive(name, payload || {}));
    }
    // Notices carry no seq: they change no state the snapshot holds.
    for (const name of NOTICE_EVENTS) {
      socket.on(name, (payload) => this.onNotice(name, payload || {}));
    }
  }

  /** Close the connection for good (sign-out, revoked session). */
  stop() {
    this.stopped = true;
    if (this.socket) {
      this.socket.off();
      this.socket.disconnect();
    }
  }

  get connected() {
    return Boolean(this.socket && this.socket.connected);
  }

  setStatus(status, detail) {
    this.status = status;
    this.onStatus(status, detail || {});
  }

  /** Ask for a snapshot and replace the state; events that arrive meanwhile wait in a queue. */
  async resync() {
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    this.resyncing = true;
    try {
      for (;;) {
        this.resyncAgain = false;
        const answer = await this.request("state.snapshot", {}, { timeout: SNAPSHOT_TIMEOUT_MS, retries: Infinity });
        if (this.stopped) return;
        if (answer && answer.ok && answer.snapshot) {
          this.seq = typeof answer.snapshot.seq === "number" ? answer.snapshot.seq : null;
          this.onSnapshot(answer.snapshot);
          if (!this.resyncAgain) break;
        } else {
          console.warn("state.snapshot failed", answer);
          await sleep(2000);
        }
      }
    } finally {
      this.resyncing = false;
    }
    // Events that arrived before the snapshot's answer were sent before it: anything at or
    // below the snapshot's seq is already in it.
    const pending = this.queue;
    this.queue = [];
    for (const [name, payload] of pending) {
      if (typeof payload.seq === "number" && this.seq !== null && payload.seq <= this.seq) continue;
      this.receive(name, payload);
    }
  }

  /** Apply one server event following the seq rules, or resync. */
  receive(name, payload) {
    if (this.stopped) return;
    if (this.resyncing) {
      this.queue.push([name, payload]);
      return;
    }
    const seq = payload.seq;
    if (typeof seq !== "number" || this.seq === null) {
      this.onEvent(name, payload);
      return;
    }
    const full = FULL_PICTURE.has(name);
    if (!full && seq === this.seq + 1) {
      this.seq = seq;
      this.onEvent(name, payload);
    } else if (full && seq === this.seq) {
      this.onEvent(name, payload);
    } else if (!full && seq === this.seq) {
      // Already applied (the snapshot included it): nothing to do.
    } else {
      // seq > last + 1: we missed something; seq < last: the server restarted.
      this.queue.push([name, payload]);
      this.resync();
    }
  }

  /** Resolves once the socket is connected (or the client is stopped). */
  waitConnected() {
    if (this.connected || this.stopped || !this.socket) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("connect", done);
        clearInterval(timer);
        resolve();
      };
      const timer = setInterval(() => {
        if (this.stopped) done();
      }, 500);
      this.socket.on("connect", done);
    });
  }

  /**
   * Emit `event` with `payload` and resolve with the server's acknowledgement.
   * On a timeout or a lost connection the SAME payload (with its op_id) is sent again once the
   * socket is connected, up to `retries` times; then resolves `{ok: false, error: {code: "timeout"}}`.
   * Never rejects.
   * @param {string} event
   * @param {object} payload
   * @param {{timeout?: number, retries?: number, onRetry?: (attempt: number) => void,
   *          cancelled?: () => boolean}} [options]
   */
  async request(event, payload, options = {}) {
    const timeout = options.timeout ?? ACK_TIMEOUT_MS;
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0 && options.onRetry) options.onRetry(attempt);
      await this.waitConnected();
      if (this.stopped) return { ok: false, error: { code: "stopped", message: t("err_disconnected") } };
      if (options.cancelled && options.cancelled()) {
        return { ok: false, error: { code: "cancelled", message: "" } };
      }
      try {
        const answer = await this.socket.timeout(timeout).emitWithAck(event, payload);
        if (answer && typeof answer === "object") return answer;
        return { ok: false, error: { code: "bad_answer", message: t("err_server", { status: "?" }) } };
      } catch {
        if (attempt >= retries) {
          return { ok: false, error: { code: "timeout", message: t("err_timeout") } };
        }
        if (this.connected) await sleep(Math.min(500 * (attempt + 1), 3000));
      }
    }
  }
}
