// "Schrijven" (#/write) for a staff code: a news item, an album or a calendar item for one of the
// teacher's groups, sealed in the browser to the school's inbox key and sent to the receiver (the
// photos first, resized here, and files as they are, each sealed in chunks, staff/upload.js); `portal sync` on the school's
// computer turns it into Markdown in content/ (FORMAT.md "Staff posts"). Below the form, the
// teacher's posts with their state: sent, waiting for approval, published, or rejected with the
// school's reason (opened here with the group's inbox key).
import { h } from '../dom.js';
import { t, formatMoment, locale } from '../i18n.js';
import { call } from '../receiver.js';
import { sealPost, openReason, schoolKey } from './inbox.js';
import { MAX_CHUNKS, CHUNK, preparePhoto, sealUpload, sendUpload } from './upload.js';
import { POSTS } from '../forms.js';
import { problem, status, say } from '../forms.js';

// Titles of this device's own posts (the receiver holds them sealed to the school only).
const known = () => { try { return JSON.parse(localStorage.getItem(POSTS) || '{}') || {}; } catch (e) { return {}; } };
function remember(id, title) {
  try { localStorage.setItem(POSTS, JSON.stringify({ ...known(), [id]: title })); } catch (e) { /* storage off */ }
}
// Photos and files of one post together (the receiver's PostRequest.maxParts).
const MAX_PHOTOS = 60;
// What content/ takes under `attachments:` (PortalContent's AttachmentType), checked again at school.
const FILE_TYPES = ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp'];
const MAX_FILE = 20 * 1024 * 1024;
const fileType = (name) => { const m = /\.([^.]+)$/.exec(name); return m && FILE_TYPES.includes(m[1].toLowerCase()); };
// Who is on an album photo: the class list's children of the group, from the teacher's keyslot
// (FORMAT.md "Keyslot"), sorted by name; none when the school imported no children column.
function classOf(recs, group) {
  const found = new Map();
  for (const rec of recs) {
    for (const c of Array.isArray(rec.staff.children) ? rec.staff.children : []) {
      if (c && typeof c.id === 'string' && typeof c.name === 'string' && c.group === group && !found.has(c.id)) found.set(c.id, c.name);
    }
  }
  const order = new Intl.Collator(locale());
  return [...found].map(([id, name]) => ({ id, name })).sort((a, b) => order.compare(a.name, b.name));
}

// A photo's "Wie staan erop?": a toggle opening a checkbox per child and one for nobody. `p.children`
// is the choice as the post carries it: null (not said), [] (nobody) or the children's ids.
function whoIsOn(p, kids) {
  const picked = h('span', { class: 'photo-who', 'data-testid': 'photo-children' });
  const boxes = kids.map((c) => h('input', { type: 'checkbox', value: c.id, checked: !!p.children && p.children.includes(c.id) }));
  const nobody = h('input', { type: 'checkbox', 'data-testid': 'photo-nobody', checked: !!p.children && !p.children.length });
  const show = () => {
    const names = !p.children ? [] : p.children.length ? kids.filter((c) => p.children.includes(c.id)).map((c) => c.name) : [t('write.nobody_short')];
    picked.replaceChildren(...names.flatMap((n) => [' ', h('span', { class: 'badge', dir: 'auto' }, n)]));
  };
  const change = (ev) => {
    if (ev.target === nobody && nobody.checked) for (const b of boxes) b.checked = false;
    if (ev.target !== nobody && ev.target.checked) nobody.checked = false;
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    p.children = ids.length ? ids : nobody.checked ? [] : null;
    show();
  };
  show();
  const nobodyChoice = h('label', { class: 'choice nobody' }, nobody, h('span', null, t('write.nobody')));
  const summary = h('summary', null, h('strong', null, t('write.who')), picked);
  const details = h('details', { class: 'photo-tags', 'data-testid': 'photo-tags', open: p.open,
    ontoggle: () => { p.open = details.open; } },
  summary,
  h('fieldset', { class: 'filter', onchange: change },
    h('legend', { class: 'sr' }, t('write.who_on', { name: p.file.name })),
    nobodyChoice,
    kids.map((c, k) => h('label', { class: 'choice' }, boxes[k], h('span', { dir: 'auto' }, c.name)))));
  return details;
}
const newID = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

async function myPosts(state, recs, list, visit) {
  const out = [];
  for (const rec of recs) {
    const answer = await call(state.site, rec, 'GET', '/v1/staff/posts');
    for (const post of Array.isArray(answer.posts) ? answer.posts : []) {
      let reason = null;
      if (post.state === 'rejected') { try { reason = await openReason(rec, post); } catch (e) { reason = null; } }
      out.push({ post, reason, rec });
    }
  }
  if (!visit.current()) return;
  const titles = known();
  const retract = (rec, post) => async (ev) => {
    ev.target.disabled = true;
    try {
      await call(state.site, rec, 'DELETE', '/v1/staff/posts/' + post.id);
      await myPosts(state, recs, list, visit);
    } catch (err) { ev.target.disabled = false; ev.target.after(h('p', { class: 'error' }, problem(err))); }
  };
  list.replaceChildren(...(out.length ? [h('h2', null, t('write.mine')), h('ul', { class: 'report-list' }, out.map(({ post, reason, rec }) =>
    h('li', { class: 'report', 'data-testid': 'my-post', 'data-state': post.state },
      h('h3', { dir: 'auto' }, titles[post.id] || t('write.untitled')),
      h('p', null, h('strong', null, t('write.state_' + post.state)), ' · ', formatMoment(post.received)),
      reason ? h('p', { class: 'note', dir: 'auto', 'data-testid': 'post-reason' }, reason) : null,
      ['sent', 'waiting', 'published'].includes(post.state)
        ? h('p', null, h('button', { type: 'button', class: 'secondary', 'data-testid': 'retract', onclick: retract(rec, post) }, t('write.retract')))
        : null)))] : []));
}

export function writeView(state, visit) {
  const heading = h('h1', { class: 'view-title', tabindex: '-1' }, t('write.heading'));
  const recs = state.records.filter((r) => r.staff && r.sign);
  const groups = [];
  for (const rec of recs) {
    for (const id of rec.staff.groups) {
      if (!groups.some((g) => g.id === id)) groups.push({ id, title: (rec.audiences.find((a) => a.id === id) || {}).title || id, rec });
    }
  }
  if (!groups.length) return h('section', { class: 'view view-write' }, heading, h('p', null, t('reports.no_staff')));
  const box = status();
  let id = newID();
  let lastSeal = null;
  const group = h('select', { id: 'write-group', name: 'group' }, groups.map((g) => h('option', { value: g.id }, g.title)));
  const title = h('input', { id: 'write-title', name: 'title', type: 'text', maxlength: '200', required: true, dir: 'auto' });
  const text = h('textarea', { id: 'write-text', name: 'text', rows: '8', maxlength: '60000', required: true, dir: 'auto',
    'aria-describedby': 'write-help' });
  const date = h('input', { id: 'write-date', name: 'date', type: 'date' });
  const urgent = h('input', { id: 'write-urgent', name: 'urgent', type: 'checkbox' });
  // A calendar item: a day (and a time), an optional last day, a place.
  const start = h('input', { id: 'write-start', name: 'start', type: 'date' });
  const time = h('input', { id: 'write-time', name: 'time', type: 'time' });
  const end = h('input', { id: 'write-end', name: 'end', type: 'date' });
  const place = h('input', { id: 'write-location', name: 'location', type: 'text', maxlength: '200', dir: 'auto' });
  const newsPart = h('p', { class: 'field' }, h('label', { for: 'write-date' }, t('write.date')), date,
    h('span', { class: 'hint' }, t('write.date_hint')));
  const eventPart = h('div', { class: 'event-fields', hidden: true },
    h('div', { class: 'dates' },
      h('p', { class: 'field' }, h('label', { for: 'write-start' }, t('write.start')), start),
      h('p', { class: 'field' }, h('label', { for: 'write-time' }, t('write.time')), time)),
    h('p', { class: 'field' }, h('label', { for: 'write-end' }, t('write.end')), end),
    h('p', { class: 'field' }, h('label', { for: 'write-location' }, t('write.location')), place));
  // Photos (news and albums): each with its caption; sealed once, so sending again resumes it.
  let photos = [];
  let formKind = 'news';  // the kind picked now (the submit handler reads its own)
  const picker = h('input', { id: 'write-photos', name: 'photos', type: 'file', accept: 'image/*', multiple: true,
    'aria-describedby': 'write-photos-hint' });
  const photoList = h('ul', { class: 'photo-picks' });
  const progress = h('progress', { class: 'upload-progress', max: '1', value: '0', hidden: true, 'aria-label': t('write.photos') });
  // An album's photos say who is on them (consent applies at school); a news item's do not, as
  // `portal sync` writes them as images in its text, which photo consent does not look at.
  const classShown = () => (formKind === 'album' ? classOf(recs, (groups.find((g) => g.id === group.value) || groups[0]).id) : []);
  const whoHint = h('p', { class: 'hint', hidden: true }, t('write.who_hint'));
  const drawPhotos = () => {
    const children = classShown();
    whoHint.hidden = !children.length || !photos.length;
    photoList.replaceChildren(...photos.map((p, i) => {
      const li = h('li', { 'data-testid': 'photo-pick' },
        h('img', { src: p.url, alt: '', width: '64', height: '64' }),
        h('input', { id: 'write-caption-' + i, type: 'text', maxlength: '500', dir: 'auto', value: p.caption, placeholder: t('write.caption_hint'),
          'aria-label': t('write.caption', { name: p.file.name }),
          oninput: (ev) => { p.caption = ev.target.value; } }),
        h('button', { type: 'button', class: 'secondary', onclick: () => { URL.revokeObjectURL(p.url); photos.splice(i, 1); drawPhotos(); } },
          t('write.remove_photo')),
        children.length ? whoIsOn(p, children) : null);
      if (children.length) li.classList.add('tagged');
      return li;
    }));
  };
  // Another group has other children: a choice of names keeps those still in it.
  group.addEventListener('change', () => {
    const ids = new Set(classOf(recs, group.value).map((c) => c.id));
    for (const p of photos) {
      const kept = p.children && p.children.filter((c) => ids.has(c));
      if (p.children && p.children.length) p.children = kept.length ? kept : null;
    }
    drawPhotos();
  });
  picker.addEventListener('change', () => {
    for (const file of picker.files) {
      if (photos.length + files.length >= MAX_PHOTOS) { say(box, t('write.too_many_photos', { n: MAX_PHOTOS }), 'error'); break; }
      photos.push({ file, caption: '', url: URL.createObjectURL(file), id: newID(), sealed: null, children: null, open: false });
    }
    picker.value = '';
    drawPhotos();
  });
  visit.onLeave(() => { for (const p of photos) URL.revokeObjectURL(p.url); });
  const photoPart = h('div', { class: 'field photo-fields' },
    h('label', { for: 'write-photos' }, t('write.photos')), picker,
    h('span', { id: 'write-photos-hint', class: 'hint' }, t('write.photos_hint')), whoHint, photoList, progress);
  // Files (any kind): sent as they are, each with the name parents see (the file name until changed).
  let files = [];
  const filePicker = h('input', { id: 'write-files', name: 'files', type: 'file', multiple: true,
    accept: FILE_TYPES.map((x) => '.' + x).join(','), 'aria-describedby': 'write-files-hint' });
  const fileList = h('ul', { class: 'file-picks' });
  const drawFiles = () => fileList.replaceChildren(...files.map((f, i) => h('li', { 'data-testid': 'file-pick' },
    h('span', { class: 'file-name', dir: 'auto' }, f.file.name),
    h('input', { id: 'write-file-title-' + i, type: 'text', maxlength: '200', dir: 'auto', value: f.title, placeholder: t('write.file_title_hint'),
      'aria-label': t('write.file_title', { name: f.file.name }), oninput: (ev) => { f.title = ev.target.value; } }),
    h('button', { type: 'button', class: 'secondary', onclick: () => { files.splice(i, 1); drawFiles(); } }, t('write.remove_photo')))));
  filePicker.addEventListener('change', () => {
    for (const file of filePicker.files) {
      if (!fileType(file.name)) { say(box, t('write.file_type', { name: file.name }), 'error'); continue; }
      if (file.size > MAX_FILE) { say(box, t('write.file_too_big', { name: file.name }), 'error'); continue; }
      if (photos.length + files.length >= MAX_PHOTOS) { say(box, t('write.too_many_photos', { n: MAX_PHOTOS }), 'error'); break; }
      files.push({ file, title: file.name.replace(/\.[^.]+$/, ''), id: newID(), sealed: null });
    }
    filePicker.value = '';
    drawFiles();
  });
  const filePart = h('div', { class: 'field file-fields' },
    h('label', { for: 'write-files' }, t('write.files')), filePicker,
    h('span', { id: 'write-files-hint', class: 'hint' }, t('write.files_hint')), fileList);
  const kinds = h('fieldset', { class: 'reasons' }, h('legend', null, t('write.kind')),
    ['news', 'album', 'event'].map((k, i) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'kind', value: k, checked: i === 0, onchange: () => {
        newsPart.hidden = k === 'event'; eventPart.hidden = k !== 'event'; photoPart.hidden = k === 'event';
        formKind = k; drawPhotos();
      } }), ' ', t('write.kind_' + k))));
  const button = h('button', { type: 'submit', class: 'primary' }, t('write.send'));
  const mine = h('div', { class: 'my-posts' });
  const form = h('form', { class: 'write-form', novalidate: true },
    groups.length > 1 ? h('p', { class: 'field' }, h('label', { for: 'write-group' }, t('absence.group')), group) : null,
    kinds,
    h('p', { class: 'field' }, h('label', { for: 'write-title' }, t('write.title')), title),
    h('p', { class: 'field' }, h('label', { for: 'write-text' }, t('write.text')), text,
      h('span', { id: 'write-help', class: 'hint' }, t('write.help'))),
    newsPart, eventPart, photoPart, filePart,
    h('p', { class: 'field' }, h('label', { class: 'choice' }, urgent, ' ', t('write.urgent'))),
    h('p', { class: 'actions' }, button));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (button.disabled) return;
    const target = groups.find((g) => g.id === group.value) || groups[0];
    for (const el of [title, text]) el.removeAttribute('aria-invalid');
    const invalid = (input, key) => { input.setAttribute('aria-invalid', 'true'); say(box, t(key), 'error'); input.focus(); };
    const kind = form.querySelector('input[name=kind]:checked').value;
    for (const el of [start, end]) el.removeAttribute('aria-invalid');
    if (!title.value.trim()) return invalid(title, 'write.title_missing');
    if (kind === 'news' && !text.value.trim()) return invalid(text, 'write.text_missing');
    if (kind === 'event' && !/^\d{4}-\d{2}-\d{2}$/.test(start.value)) return invalid(start, 'write.start_missing');
    if (kind === 'event' && end.value && end.value < start.value) return invalid(end, 'absence.date_order');
    if (kind === 'album' && !photos.length) return invalid(picker, 'write.photos_missing');
    const post = { kind, title: title.value.trim(), text: text.value, urgent: urgent.checked };
    if (kind !== 'event' && date.value) post.date = date.value;
    const sending = (kind === 'event' ? [] : photos.slice()).concat(files);
    if (kind === 'event') {
      post.start = start.value + (time.value ? ' ' + time.value : '');
      // A timed item ends the same day at the same form; an all-day item on its last day.
      if (end.value && end.value !== start.value) post.end = end.value + (time.value ? ' ' + time.value : '');
      if (place.value.trim()) post.location = place.value.trim();
    }
    button.disabled = true; button.textContent = t('send.busy'); form.setAttribute('aria-busy', 'true');
    try {
      // Photos first: resized and sealed once each (a retry sends the same part, from where it stopped).
      for (const p of sending) {
        if (p.sealed && p.group === target.id) continue;
        if (p.sealed) p.id = newID();  // sealed for another group before: that is another part
        let bytes;
        if (files.includes(p)) {
          try { bytes = new Uint8Array(await p.file.arrayBuffer()); } catch (err) { throw Object.assign(new Error('file'), { code: 'file_unreadable', name: p.file.name }); }
          if (!bytes.length) throw Object.assign(new Error('file'), { code: 'file_unreadable', name: p.file.name });
        } else {
          try { bytes = await preparePhoto(p.file); } catch (err) { throw Object.assign(new Error('photo'), { code: 'photo_unreadable', name: p.file.name }); }
          if (bytes.length > MAX_CHUNKS * CHUNK) throw Object.assign(new Error('photo'), { code: 'photo_too_big', name: p.file.name });
        }
        p.sealed = await sealUpload(schoolKey(state.site, target.rec), target.rec.token_id, target.id, p.id, bytes);
        p.group = target.id;
      }
      const total = sending.reduce((n, p) => n + p.sealed.count, 0);
      let done = 0;
      progress.max = String(Math.max(1, total)); progress.value = '0'; progress.hidden = !total;
      for (const p of sending) {
        const before = done;
        await sendUpload(state.site, target.rec, target.id, p.id, p.sealed, (n) => {
          done = before + n; progress.value = String(done);
          button.textContent = files.includes(p) ? t('write.uploading_file', { done: files.indexOf(p) + 1, total: files.length })
            : t('write.uploading', { done: sending.indexOf(p) + 1, total: sending.length - files.length });
        });
      }
      const shots = sending.filter((p) => !files.includes(p));
      // Who is on each photo, as far as the teacher said, of the group it goes to (FORMAT.md "Staff posts").
      const ids = new Set(classOf(recs, target.id).map((c) => c.id));
      if (shots.length) {
        post.photos = shots.map((p) => {
          const photo = { part: p.id };
          if (p.caption.trim()) photo.caption = p.caption.trim();
          const on = kind === 'album' && p.children ? p.children.filter((c) => ids.has(c)) : null;
          if (on && (on.length || !p.children.length)) photo.children = on;
          return photo;
        });
      }
      if (files.length) post.attachments = files.map((f) => (f.title.trim() ? { part: f.id, name: f.file.name, title: f.title.trim() } : { part: f.id, name: f.file.name }));
      // A retry of the same post sends the same id and the same sealed bytes, so a post whose
      // answer was lost is taken as a retry, not refused or sent twice; a changed post is a new one.
      const same = JSON.stringify([target.id, post]);
      if (!lastSeal || lastSeal.same !== same) {
        if (lastSeal) id = newID();
        lastSeal = { same, sealed: await sealPost(state.site, target.rec, target.id, id, post) };
      }
      await call(state.site, target.rec, 'POST', '/v1/staff/posts', { id, group: target.id, sealed: lastSeal.sealed, parts: sending.map((p) => p.id) });
      remember(id, post.title);
      if (!visit.current()) return;
      say(box, t('write.sent'), 'ok');
      for (const el of [title, text, date, start, time, end, place]) el.value = '';
      urgent.checked = false;
      lastSeal = null;
      for (const p of photos) URL.revokeObjectURL(p.url);
      photos = [];
      files = [];
      drawPhotos();
      drawFiles();
      progress.hidden = true;
      id = newID();
      myPosts(state, recs, mine, visit).catch(() => {});
    } catch (err) {
      const code = err && err.code;
      if (visit.current()) {
        say(box, code === 'too_long' ? t('write.too_long')
          : ['photo_unreadable', 'photo_too_big', 'file_unreadable'].includes(code) ? t('write.' + code, { name: err.name })
            : code === 'daily_quota' && sending.length ? t('write.upload_quota') : problem(err), 'error');
      }
    } finally {
      button.disabled = false; button.textContent = t('write.send'); form.removeAttribute('aria-busy');
    }
  });
  myPosts(state, recs, mine, visit).catch((err) => { if (visit.current()) say(box, problem(err), 'error'); });
  return h('section', { class: 'view view-write' }, heading, h('p', { class: 'muted' }, t('write.intro')), box, form, mine);
}
