// Small DOM helpers (no innerHTML anywhere) and the sanitizer for sealed HTML fragments.

/** h('a', {href: '#/'}, 'text', child) -> element. Attributes 'class', 'on<event>' handlers, booleans. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const DROP = new Set(['SCRIPT', 'STYLE', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'LINK', 'META',
  'BASE', 'FORM', 'TEMPLATE', 'NOSCRIPT', 'SVG', 'MATH', 'AUDIO', 'VIDEO', 'SOURCE', 'TITLE', 'HEAD',
  'BUTTON', 'SELECT', 'TEXTAREA', 'DIALOG', 'PORTAL']);
const KEEP = new Set(['ARTICLE', 'SECTION', 'HEADER', 'FOOTER', 'DIV', 'SPAN', 'P', 'H1', 'H2', 'H3', 'H4',
  'H5', 'H6', 'UL', 'OL', 'LI', 'A', 'IMG', 'EM', 'STRONG', 'B', 'I', 'U', 'S', 'DEL', 'INS', 'CODE', 'PRE',
  'BLOCKQUOTE', 'HR', 'BR', 'TABLE', 'THEAD', 'TBODY', 'TFOOT', 'TR', 'TH', 'TD', 'CAPTION', 'FIGURE',
  'FIGCAPTION', 'TIME', 'SUP', 'SUB', 'SMALL', 'MARK', 'DL', 'DT', 'DD', 'ABBR', 'INPUT', 'DETAILS', 'SUMMARY',
  'ADDRESS', 'NAV', 'ASIDE']);
const ATTRS = new Set(['href', 'alt', 'title', 'class', 'data-media', 'data-variant', 'colspan', 'rowspan', 'align', 'start',
  'datetime', 'lang', 'dir', 'width', 'height', 'checked', 'disabled', 'type', 'open']);
const SAFE_HREF = /^(https?:|mailto:|tel:|#)/i;

/**
 * Parses a fragment (from the school's own generator, raw HTML disabled) into a DocumentFragment,
 * defensively: drops active elements, event handlers, styles and links other than http(s)/mailto/tel/#.
 */
export function sanitizeFragment(html) {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  clean(doc.body);
  const out = document.createDocumentFragment();
  for (const n of [...doc.body.childNodes]) out.append(document.importNode(n, true));
  return out;
}

function clean(parent) {
  for (const n of [...parent.childNodes]) {
    if (n.nodeType === Node.TEXT_NODE) continue;
    if (n.nodeType !== Node.ELEMENT_NODE) { n.remove(); continue; }
    const tag = n.tagName.toUpperCase();
    if (DROP.has(tag)) { n.remove(); continue; }
    if (!KEEP.has(tag)) { clean(n); n.replaceWith(...n.childNodes); continue; }
    for (const a of [...n.attributes]) {
      if (!ATTRS.has(a.name.toLowerCase())) n.removeAttribute(a.name);
    }
    if (tag === 'INPUT') {
      if ((n.getAttribute('type') || '').toLowerCase() !== 'checkbox') { n.remove(); continue; }
      n.setAttribute('disabled', '');
    }
    if (tag === 'A') {
      const href = n.getAttribute('href');
      if (href !== null && !SAFE_HREF.test(href.trim())) n.removeAttribute('href');
      if (/^https?:/i.test(n.getAttribute('href') || '')) {
        n.setAttribute('rel', 'noopener noreferrer');
        n.setAttribute('target', '_blank');
      }
    }
    if (tag === 'IMG' && !n.getAttribute('data-media')) {
      n.replaceWith(document.createTextNode(n.getAttribute('alt') || ''));
      continue;
    }
    clean(n);
  }
}
