// UI strings (i18n/<lang>.json) and date formatting in the school's time zone.

let strings = {};
let lang = 'nl';
export const TZ = 'Europe/Amsterdam';

/** The interface languages with a translation file in i18n/, by their own names. */
export const LANGUAGE_NAMES = { nl: 'Nederlands', en: 'English', ar: 'العربية', tr: 'Türkçe', pl: 'Polski', uk: 'Українська' };
const RTL = new Set(['ar']);
// Latin digits in Arabic: times and dates then read the same as on the school's paper letters.
const LOCALES = { nl: 'nl-NL', en: 'en-GB', ar: 'ar-u-nu-latn', tr: 'tr-TR', pl: 'pl-PL', uk: 'uk-UA' };

/** The site's languages first (its default leads), then every other interface language. */
export function uiLanguages(siteLanguages) {
  return [...new Set([...(siteLanguages || []), ...Object.keys(LANGUAGE_NAMES)])].filter((l) => l in LANGUAGE_NAMES);
}

/** Picks the language: a saved choice, else the first of navigator.languages offered, else the site's default. */
export function chooseLanguage(available) {
  const langs = available && available.length ? available : ['nl'];
  let saved = null;
  try { saved = localStorage.getItem('lang'); } catch (e) { /* storage off */ }
  if (saved && langs.includes(saved)) return saved;
  for (const l of navigator.languages || []) {
    const base = l.toLowerCase().split('-')[0];
    if (langs.includes(base)) return base;
  }
  return langs[0];
}

/** A file of the app shell, next to this module (s/<id>/ as generated, the theme folder in tests). */
export const shellFile = (p) => new URL(p, import.meta.url).href;

// Folders whose i18n/<lang>.json joins the app's own once a module of theirs is loaded (staff/).
const extra = new Set();
async function fetchStrings(dir, l) {
  const r = await fetch(shellFile(`${dir}i18n/${l}.json`));
  if (!r.ok) throw new Error('i18n ' + r.status);
  return r.json();
}

/** Adds the words of a part of the app loaded later (`dir` as 'staff/'), now and at every change of language. */
export async function addStrings(dir) {
  if (extra.has(dir)) return;
  Object.assign(strings, await fetchStrings(dir, lang));
  extra.add(dir);
}

export async function loadLanguage(l) {
  const parts = await Promise.all([fetchStrings('', l), ...[...extra].map((d) => fetchStrings(d, l))]);
  strings = Object.assign({}, ...parts);
  lang = l;
  document.documentElement.lang = l;
  document.documentElement.dir = RTL.has(l) ? 'rtl' : 'ltr';
  plural = new Intl.PluralRules(locale());
}
let plural = new Intl.PluralRules('nl-NL');

export function saveLanguage(l) {
  try { localStorage.setItem('lang', l); } catch (e) { /* storage off */ }
}

export const currentLanguage = () => lang;

/** t('key', {name: 'x'}) with {name} placeholders; a missing key shows itself. */
export function t(key, vars) {
  let s = strings[key] ?? key;
  // Plural forms: {"one": ..., "few": ..., "other": ...} chosen by the language's rules for vars.n.
  if (typeof s === 'object' && s) s = s[plural.select(Number(vars && vars.n))] ?? s.other ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
}

export const locale = () => LOCALES[lang] || 'nl-NL';
const cache = new Map();
function fmt(opts, tz) {
  const k = locale() + JSON.stringify(opts) + tz;
  if (!cache.has(k)) cache.set(k, new Intl.DateTimeFormat(locale(), { ...opts, timeZone: tz }));
  return cache.get(k);
}

const isDateOnly = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s);
/** A date-only string is a calendar day: format it in UTC so it never shifts a day. */
const toDate = (s) => (isDateOnly(s) ? new Date(s + 'T00:00:00Z') : new Date(s));
const tzFor = (s) => (isDateOnly(s) ? 'UTC' : TZ);

/** "donderdag 3 december 2026" */
export function formatDay(s) {
  return fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, tzFor(s)).format(toDate(s));
}
/** "donderdag 3 december 2026, 19:30" (the day only for a date) */
export function formatMoment(s) {
  if (isDateOnly(s)) return formatDay(s);
  return `${formatDay(s)}, ${formatTime(s)}`;
}
/** "19:30": always the 24-hour clock, as on the school's letters and the conference schedule. */
export function formatTime(s) {
  return fmt({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, TZ).format(toDate(s));
}
/** "3 december 2026" (no weekday: reads right after a preposition in every language, "do 3 grudnia 2026"). */
export function formatDate(s) {
  return fmt({ day: 'numeric', month: 'long', year: 'numeric' }, tzFor(s)).format(toDate(s));
}
/** The first letter in upper case, the rest as the locale wrote it ("Grudzień 2026", "Грудень 2026 р."):
 * a heading in sentence case; CSS `capitalize` would capitalize every word ("Р."). */
export function sentence(s) {
  return s ? s.charAt(0).toLocaleUpperCase(locale()) + s.slice(1) : s;
}
/** Two days as the language writes a range ("maandag 1 t/m woensdag 3 februari 2027" in its own grammar). */
export function formatDayRange(a, b) {
  return a === b ? formatDay(a) : fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, 'UTC').formatRange(toDate(a), toDate(b));
}
/** Two moments as one range in the school's time zone, in the language's own grammar. */
export function formatMomentRange(a, b) {
  return fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, TZ)
    .formatRange(toDate(a), toDate(b));
}
/** "Jan, Piet en Klaas" / "Jan, Piet i Klaas": names or values joined as the language joins a list
 * (its own conjunction and separators, "A وB وC" in Arabic), instead of ", ".
 * `type` as Intl.ListFormat: 'conjunction' ("and"), 'disjunction' ("or"), 'unit' (no word). */
export function formatList(items, type = 'conjunction') {
  return new Intl.ListFormat(locale(), { style: 'long', type }).format((items || []).map(String));
}
/** "december 2026" */
export function formatMonth(s) {
  return fmt({ month: 'long', year: 'numeric' }, tzFor(s)).format(toDate(s));
}
/** The calendar day (YYYY-MM-DD) of a date or instant in the school's time zone. */
export function dayKey(s) {
  if (isDateOnly(s)) return s;
  const p = Object.fromEntries(fmt({ year: 'numeric', month: '2-digit', day: '2-digit' }, TZ)
    .formatToParts(toDate(s)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}
export const todayKey = () => dayKey(new Date().toISOString());

/** Builds the date formatters ahead of use: the first Intl formatter for a locale and time zone
 * loads ICU data (tens of ms), which should not land between token submit and the timeline. */
export function warmUp() {
  const sample = ['2026-01-01', '2026-01-01T12:00:00Z'];
  for (const s of sample) { formatDay(s); formatMoment(s); formatMonth(s); dayKey(s); }
  formatTime(sample[1]);
  'a'.localeCompare('b', locale());
}

/** "ma" / "Mon": the weekday of a calendar day. */
export function formatWeekday(s, style = 'short') {
  const out = fmt({ weekday: style }, 'UTC').format(toDate(s));
  // Some languages (Arabic) have no short weekday names: the narrow form fits a phone's month grid.
  return style === 'short' && out.length > 4 ? fmt({ weekday: 'narrow' }, 'UTC').format(toDate(s)) : out;
}
/** "3 december": a calendar day without weekday and year. */
export function formatDayMonth(s) {
  return fmt({ day: 'numeric', month: 'long' }, tzFor(s)).format(toDate(s));
}
