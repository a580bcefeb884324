/** JSON over HTTP with the protocol's `{ok, error: {code, message}}` answers. */
import { csrfToken } from "./config.js";
import { t } from "./i18n.js";

/**
 * Send a request and always resolve with an `{ok, …}` object, never reject:
 * a network failure becomes `{ok: false, error: {code: "network_error"}}` and a non-JSON
 * answer `{ok: false, error: {code: "http_<status>"}}`, each with a readable message.
 * @param {"GET"|"POST"} method
 * @param {string} url
 * @param {object} [body]
 */
export async function requestJson(method, url, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") {
    const token = csrfToken();
    if (token) headers["X-CSRFToken"] = token;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    return { ok: false, error: { code: "network_error", message: t("err_network") } };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (data && typeof data === "object" && "ok" in data) return data;
  return {
    ok: false,
    status: response.status,
    error: { code: `http_${response.status}`, message: t("err_server", { status: response.status }) },
  };
}

export const getJson = (url) => requestJson("GET", url);
export const postJson = (url, body) => requestJson("POST", url, body ?? {});
