// An item's attachments (a newsletter as PDF, a form as Word): listed under the item, each
// decrypted only when the parent opens or saves it, then handed to the browser's PDF viewer, the
// phone's share sheet or a download. The bytes never leave the device unsealed otherwise.
import { h } from './dom.js';
import { t, locale } from './i18n.js';
import { saveBlob } from './gallery.js';

const LABELS = {
  'application/pdf': 'PDF',
  'application/msword': 'Word', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.ms-excel': 'Excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'application/vnd.ms-powerpoint': 'PowerPoint', 'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint',
  'application/vnd.oasis.opendocument.text': 'OpenDocument', 'application/vnd.oasis.opendocument.spreadsheet': 'OpenDocument',
  'application/vnd.oasis.opendocument.presentation': 'OpenDocument',
};

/** The item's attachments that its page lists with a sealed file. */
export function attachmentsOf(item, aud) {
  const media = (aud.manifest && aud.manifest.media) || {};
  return (Array.isArray(item.attachments) ? item.attachments : []).filter((a) => a && typeof a.media === 'string'
    && typeof a.title === 'string' && Object.prototype.hasOwnProperty.call(media, a.media) && LABELS[media[a.media].type]);
}

/** "28 kB" / "1,2 MB" in the parent's language. */
function sizeText(bytes) {
  const mb = bytes >= 1e6;
  return new Intl.NumberFormat(locale(), { style: 'unit', unit: mb ? 'megabyte' : 'kilobyte', maximumFractionDigits: mb ? 1 : 0 })
    .format(mb ? bytes / 1e6 : Math.max(1, bytes / 1e3));
}

/** A file name safe to save under, with the extension the type asks for. */
function safeName(a) {
  return String(a.name || a.title).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 120) || 'bijlage';
}

/** The list to put under the item, or null when it has none. */
export function attachmentList(item, aud, visit) {
  const list = attachmentsOf(item, aud);
  if (!list.length) return null;
  const status = h('p', { class: 'download-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'attachment-status' });
  const media = aud.manifest.media;
  const rows = list.map((a) => {
    const type = media[a.media].type;
    const open = async (mode, button) => {
      button.disabled = true;
      status.textContent = t('attach.busy', { title: a.title });
      try {
        const { bytes } = await visit.session.openMedia(aud, a.media);
        if (!visit.current()) return;
        const file = new File([bytes], safeName(a), { type });
        status.textContent = '';
        if (mode === 'open') {
          // The browser's own viewer, in a tab of its own; where none opens (a blocked pop-up, a
          // phone without one) it is saved instead.
          const url = URL.createObjectURL(file);
          setTimeout(() => URL.revokeObjectURL(url), 60000);
          if (window.open(url, '_blank')) return;
        } else if (navigator.canShare && navigator.canShare({ files: [file] })) {
          try { await navigator.share({ files: [file], title: a.title }); return; } catch (e) { if (e.name === 'AbortError') return; }
        }
        saveBlob(file, file.name);
      } catch (e) {
        if (visit.current()) status.textContent = t('attach.error');
      } finally {
        button.disabled = false;
      }
    };
    const button = (mode) => {
      const b = h('button', { type: 'button', class: 'secondary', 'data-testid': 'attachment-' + mode }, t('attach.' + mode));
      b.addEventListener('click', () => open(mode, b));
      return b;
    };
    return h('li', { class: 'attachment', 'data-media': a.media },
      h('span', { class: 'attachment-text' },
        h('span', { class: 'attachment-title', dir: 'auto' }, a.title),
        h('span', { class: 'meta' }, LABELS[type], Number.isSafeInteger(a.size) && a.size > 0 ? ' · ' + sizeText(a.size) : '')),
      h('span', { class: 'attachment-actions' }, type === 'application/pdf' ? button('open') : null, button('save')));
  });
  return h('section', { class: 'attachments', 'data-testid': 'attachments' },
    h('h2', null, t('attach.heading')), h('ul', null, rows), status);
}
