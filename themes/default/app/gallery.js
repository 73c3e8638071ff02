// Photo albums: the album list, an album's thumbnail grid (decrypted as it scrolls into view),
// the lightbox with the display-size photo, and downloads of one photo or the album as a .zip.
import { h } from './dom.js';
import { t, formatDay } from './i18n.js';
import { zip } from './zip.js';
import { olderButton } from './views.js';

const isAlbum = (it) => it.album && Array.isArray(it.album.photos);
const photosOf = (item) => item.album.photos.filter((p) => p && typeof p.media === 'string');

/** "albums/schoolreis-2026/speelbos.jpg" (image/jpeg) -> "speelbos.jpg"; the extension follows the bytes. */
export function fileName(logicalPath, type) {
  const base = (logicalPath.split('/').pop() || 'foto').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
  const ext = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'image/avif': '.avif' }[type];
  if (!ext) return base;
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base) + ext;
}

/** Offers a Blob as a download with a file name, then frees its URL. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/** All albums of every audience, newest first, as cards with their covers. */
export function albumsView(state, visit) {
  const albums = [...state.items.values()].filter((e) => isAlbum(e.item) && e.page > state.horizon)
    .sort((a, b) => ((a.item.date || '') < (b.item.date || '') ? 1 : (a.item.date || '') > (b.item.date || '') ? -1 : 0));
  const list = h('ul', { class: 'albums', 'data-testid': 'albums' }, albums.map(({ item, aud }) => {
    const n = photosOf(item).length;
    const cover = item.album.cover ? h('img', { class: 'cover', alt: '' }) : h('span', { class: 'cover cover-empty' });
    if (item.album.cover) visit.loadMedia(aud, item.album.cover, cover, { thumb: true, quiet: true });
    return h('li', null, h('a', { class: 'album-card', href: '#/item/' + item.path, 'data-path': item.path },
      cover,
      h('span', { class: 'album-text' },
        h('span', { class: 'album-title', dir: 'auto' }, item.title),
        h('span', { class: 'meta' }, item.date ? formatDay(item.date) : null,
          state.fresh && state.fresh.has(item.path) ? h('span', { class: 'new-mark', 'data-testid': 'new' }, t('new.label')) : null),
        h('span', { class: 'album-count' }, n === 1 ? t('album.photo') : t('album.photos', { n })))));
  }));
  const older = olderButton(visit);
  return h('section', { class: 'view view-albums' }, h('h1', { class: 'view-title', tabindex: '-1' }, t('albums.heading')),
    albums.length ? list : older ? null : h('p', { class: 'empty' }, t('albums.empty')), older);
}

/**
 * The album's photos as a grid of buttons; each thumbnail is decrypted when it comes near the
 * viewport. Clicking one opens the lightbox. Returns the element to put in the item view.
 */
export function albumGallery(item, aud, visit) {
  const photos = photosOf(item);
  const status = h('p', { class: 'download-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'album-status' });
  const zipButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'album-download' }, t('album.download'));
  zipButton.addEventListener('click', () => downloadAlbum(item, aud, photos, visit, zipButton, status));
  const thumbs = photos.map((p, i) => {
    const caption = typeof p.caption === 'string' ? p.caption : '';
    const info = visit.session.mediaInfo(aud, p.media, true);
    const img = h('img', { alt: caption || t('lightbox.photo', { n: i + 1, total: photos.length }), loading: 'lazy',
      width: info && info.width, height: info && info.height, class: 'media-loading', 'data-media': p.media });
    const button = h('button', { type: 'button', class: 'thumb', 'data-index': i }, img);
    button.addEventListener('click', () => lightbox.open(i, button));
    return { li: h('li', null, button), img, p };
  });
  const lightbox = makeLightbox(item, aud, photos, thumbs, visit);
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      observer.unobserve(e.target);
      const th = thumbs.find((x) => x.li === e.target);
      if (th) loadThumb(th, aud, visit);
    }
  }, { rootMargin: '300px 0px' });
  for (const th of thumbs) observer.observe(th.li);
  visit.onLeave(() => { observer.disconnect(); lightbox.close(); lightbox.dialog.remove(); });
  document.body.append(lightbox.dialog);
  return h('section', { class: 'gallery-wrap', 'aria-label': t('gallery.label') },
    h('ul', { class: 'gallery', 'data-testid': 'gallery' }, thumbs.map((x) => x.li)),
    photos.length ? h('div', { class: 'actions' }, zipButton) : null, status);
}

function loadThumb(th, aud, visit) {
  if (th.loading) return th.loading;
  th.loading = visit.session.openMedia(aud, th.p.media, { thumb: true }).then((m) => {
    if (!visit.current()) return;
    th.url = visit.objectUrl(new Blob([m.bytes], { type: m.type }));
    th.img.src = th.url;
    th.img.classList.remove('media-loading');
  }, () => {
    if (!visit.current()) return;
    th.img.classList.remove('media-loading');
    th.img.classList.add('media-failed');
    th.img.alt = t('media.error');
  });
  return th.loading;
}

function makeLightbox(item, aud, photos, thumbs, visit) {
  let index = 0, opener = null, largeUrl = null, startX = null, startY = 0;
  const img = h('img', { class: 'lightbox-img', alt: '', 'data-testid': 'lightbox-img' });
  const caption = h('figcaption', { class: 'lightbox-caption', dir: 'auto' });
  const counter = h('p', { class: 'counter', 'aria-live': 'polite', 'data-testid': 'lightbox-counter' });
  const prev = h('button', { type: 'button', class: 'lb-prev', 'aria-label': t('lightbox.prev') }, '‹');
  const next = h('button', { type: 'button', class: 'lb-next', 'aria-label': t('lightbox.next') }, '›');
  const close = h('button', { type: 'button', class: 'lb-close', 'aria-label': t('lightbox.close'), 'data-testid': 'lightbox-close' }, '×');
  const save = h('button', { type: 'button', class: 'secondary lb-save', 'data-testid': 'photo-download' }, t('lightbox.download'));
  const title = h('h2', { class: 'lightbox-title', id: 'lightbox-title', dir: 'auto' }, item.title);
  const dialog = h('dialog', { class: 'lightbox', 'aria-labelledby': 'lightbox-title', 'data-testid': 'lightbox' },
    h('div', { class: 'lb-top' }, title, counter, close),
    h('figure', { class: 'lb-stage' }, img, caption),
    h('div', { class: 'lb-bottom' }, prev, save, next));
  const rtl = () => document.documentElement.dir === 'rtl';

  function show(i) {
    index = (i + photos.length) % photos.length;
    const p = photos[index];
    const text = typeof p.caption === 'string' ? p.caption : '';
    counter.textContent = t('lightbox.counter', { n: index + 1, total: photos.length });
    caption.textContent = text;
    caption.hidden = !text;
    img.alt = text || t('lightbox.photo', { n: index + 1, total: photos.length });
    img.removeAttribute('data-state');
    // Show the thumbnail at once (when decrypted), then the display size when it arrives.
    const th = thumbs[index];
    if (th.url) img.src = th.url; else img.removeAttribute('src');
    const want = index;
    visit.session.openMedia(aud, p.media, {}).then((m) => {
      if (want !== index || !dialog.open) return;
      if (largeUrl) visit.revoke(largeUrl);
      largeUrl = visit.objectUrl(new Blob([m.bytes], { type: m.type }));
      img.src = largeUrl;
      // "ready" once the display size itself is decoded (until then the thumbnail may still show).
      return img.decode().then(() => { if (want === index && img.src === largeUrl) img.setAttribute('data-state', 'ready'); });
    }).catch(() => { if (want === index && dialog.open) img.setAttribute('data-state', 'error'); });
    if (!th.url) loadThumb(th, aud, visit);
  }

  const api = {
    dialog,
    open(i, from) {
      opener = from || document.activeElement;
      if (!dialog.open) dialog.showModal();
      show(i);
      close.focus();
    },
    close() { if (dialog.open) dialog.close(); },
  };
  prev.addEventListener('click', () => show(index - 1));
  next.addEventListener('click', () => show(index + 1));
  close.addEventListener('click', () => api.close());
  save.addEventListener('click', async () => {
    const p = photos[index];
    let m;
    try { m = await visit.session.openMedia(aud, p.media, {}); } catch (e) { counter.textContent = t('media.error'); return; }
    // One photo goes to the phone's share sheet where it can take files ("Bewaar afbeelding",
    // an app); elsewhere, and when sharing fails, it is a download (the whole album stays a .zip).
    const file = new File([m.bytes], fileName(p.media, m.type), { type: m.type });
    if (navigator.canShare && navigator.canShare({ files: [file] })) {
      try { await navigator.share({ files: [file] }); return; } catch (e) { if (e.name === 'AbortError') return; }
    }
    saveBlob(file, file.name);
  });
  dialog.addEventListener('close', () => {
    if (largeUrl) { visit.revoke(largeUrl); largeUrl = null; }
    img.removeAttribute('src');
    if (opener && opener.isConnected) opener.focus();
  });
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      show(index + ((e.key === 'ArrowRight') !== rtl() ? 1 : -1));
    } else if (e.key === 'Tab') {
      // Keep focus inside the dialog (modal dialogs make the page inert, not the browser chrome).
      const f = [...dialog.querySelectorAll('button')].filter((b) => !b.disabled && b.offsetParent !== null);
      if (!f.length) return;
      const first = f[0], last = f[f.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    }
  });
  // Swipe: a mostly horizontal drag of 40 px or more moves one photo.
  dialog.addEventListener('pointerdown', (e) => { startX = e.clientX; startY = e.clientY; });
  dialog.addEventListener('pointerup', (e) => {
    if (startX === null) return;
    const dx = e.clientX - startX, dy = e.clientY - startY;
    startX = null;
    if (Math.abs(dx) >= 40 && Math.abs(dx) > Math.abs(dy) * 1.5) show(index + ((dx < 0) !== rtl() ? 1 : -1));
  });
  // A click on the backdrop (outside the content) closes, as on most photo viewers.
  dialog.addEventListener('click', (e) => { if (e.target === dialog) api.close(); });
  return api;
}

async function downloadAlbum(item, aud, photos, visit, button, status) {
  button.disabled = true;
  const files = [];
  const date = item.date ? new Date(item.date) : new Date();
  try {
    for (let i = 0; i < photos.length; i++) {
      status.textContent = t('album.download_busy', { n: i + 1, total: photos.length });
      const m = await visit.session.openMedia(aud, photos[i].media, {});
      files.push({ name: fileName(photos[i].media, m.type), bytes: m.bytes, date });
    }
    saveBlob(zip(files), fileName(item.path, null) + '.zip');
    status.textContent = t('album.download_done', { n: files.length });
  } catch (e) {
    status.textContent = t('album.download_error');
  } finally {
    button.disabled = false;
  }
}
