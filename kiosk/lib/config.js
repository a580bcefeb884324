/** Reading the JSON islands that the Jinja templates render into each page. */

/**
 * Parse the text of `<script type="application/json" id="…">`.
 * @param {string} id
 * @param {object} fallback returned when the element is missing or unreadable
 */
export function readJson(id, fallback = {}) {
  const el = document.getElementById(id);
  if (!el) return fallback;
  try {
    const value = JSON.parse(el.textContent || "null");
    return value ?? fallback;
  } catch (err) {
    console.error(`#${id} is not valid JSON`, err);
    return fallback;
  }
}

/** The CSRF token that base.html puts in `<meta name="csrf-token">`, or "". */
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") || "" : "";
}
