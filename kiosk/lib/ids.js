/** Client-generated ids: operation ids for idempotent events and the tablet's device id. */

const DEVICE_ID_KEY = "hoitruong.device_id";
const DEVICE_LABEL_KEY = "hoitruong.device_label";

function randomHex(bytes) {
  const buf = new Uint8Array(bytes);
  if (globalThis.crypto && typeof globalThis.crypto.getRandomValues === "function") {
    globalThis.crypto.getRandomValues(buf);
  } else {
    for (let i = 0; i < bytes; i += 1) buf[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A fresh op_id: a UUID4 (36 chars of [0-9a-f-], inside the protocol's 8–64 [A-Za-z0-9_-]).
 * `crypto.randomUUID` exists only in secure contexts (HTTPS or localhost); a tablet opened over
 * plain http on the LAN falls back to getRandomValues, which works everywhere.
 */
export function newOpId() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") {
    try {
      return globalThis.crypto.randomUUID();
    } catch {
      // not a secure context: fall through
    }
  }
  const h = randomHex(16).split("");
  h[12] = "4";
  h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the id then lives only as long as the page
  }
}

let volatileDeviceId = null;

/** This device's id, created once and kept in localStorage ("tab-" + 16 hex digits). */
export function deviceId() {
  const store = storage();
  const kept = store ? store.getItem(DEVICE_ID_KEY) : volatileDeviceId;
  if (kept && /^[A-Za-z0-9_-]{8,64}$/.test(kept)) return kept;
  const fresh = `tab-${randomHex(8)}`;
  if (store) store.setItem(DEVICE_ID_KEY, fresh);
  else volatileDeviceId = fresh;
  return fresh;
}

/** The label shown to the chair for this device: set once by `?device_label=…`, else a default. */
export function deviceLabel(defaultPrefix) {
  const store = storage();
  const fromUrl = new URLSearchParams(window.location.search).get("device_label");
  if (fromUrl && fromUrl.trim()) {
    const label = fromUrl.trim().slice(0, 80);
    if (store) store.setItem(DEVICE_LABEL_KEY, label);
    return label;
  }
  const kept = store ? store.getItem(DEVICE_LABEL_KEY) : null;
  if (kept) return kept.slice(0, 80);
  return `${defaultPrefix} ${deviceId().slice(-4).toUpperCase()}`.slice(0, 80);
}
