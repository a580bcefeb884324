/**
 * UI strings for the scripts. The template renders them, already translated by Flask-Babel,
 * into `<script type="application/json" id="i18n">`, so every translation lives in one .po
 * catalogue. Placeholders are written `{name}` (not `%(name)s`, which Jinja would format).
 */
import { readJson } from "./config.js";

let strings = null;

function table() {
  if (strings === null) strings = readJson("i18n", {});
  return strings;
}

/**
 * The translated string for `key`, with `{name}` placeholders filled from `params`.
 * An unknown key is returned as it is, so a missing string shows up plainly.
 * @param {string} key
 * @param {Record<string, string|number>} [params]
 */
export function t(key, params) {
  const raw = table()[key];
  let text = typeof raw === "string" ? raw : key;
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  }
  return text;
}

/** The page's locale ("vi" or "en"), from `<html lang>`. */
export function locale() {
  return document.documentElement.lang || "vi";
}

/** An ISO time as "09:15" in the page's locale, or "" when absent or unreadable. */
export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(locale() === "en" ? "en-GB" : "vi-VN", {
    hour: "2-digit",
    minute: "2-digit",
  });
}
