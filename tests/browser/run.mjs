// Real-browser end-to-end tests for `tsunagi serve`.
//
// Debian's chromium (/usr/bin/chromium) driven by playwright-core against a
// server that is already running at BASE_URL (scripts/test-browser.sh starts
// one on a temporary database). Each scenario prints PASS or FAIL with the
// reason; the run exits non-zero when any scenario failed. Screenshots and
// PDFs go to tests/browser/artifacts/.
//
//   BASE_URL=http://127.0.0.1:8080 node tests/browser/run.mjs
//   ONLY=a,c BASE_URL=… node tests/browser/run.mjs     (a subset)
//
// Nothing leaves this machine: every request that is not for BASE_URL (the
// 地理院タイル map tiles) is aborted, and the pages must still work — the
// municipal outlines and the markers are drawn without tiles.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.join(HERE, 'artifacts');
const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BASE = (process.env.BASE_URL || '').replace(/\/+$/, '');
const ONLY = (process.env.ONLY || '').split(',').map((s) => s.trim()).filter(Boolean);
const TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 15000);

if (!BASE) {
  console.error('BASE_URL is not set (e.g. BASE_URL=http://127.0.0.1:8080)');
  process.exit(2);
}
const ORIGIN = new URL(BASE).origin;

// The queries the scenarios use (下松市 = 352071).
const KUDAMATSU = '352071';
const qs = (params) => '?' + Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const SEARCH_HOME_NURSING = '/' + qs({ q: '訪問看護', municipality: KUDAMATSU });
const SEARCH_DENTAL = '/' + qs({ q: '歯科', municipality: KUDAMATSU });
const SEARCH_NEAR_ADDRESS = '/' + qs({ addr: '下松市大手町3丁目', category: 'home_nursing' });

// ---------------------------------------------------------------- helpers

class Failure extends Error {}
function check(cond, message) {
  if (!cond) throw new Failure(message);
}
const squash = (s) => String(s || '').replace(/\s+/g, '');

function artifact(name) {
  return path.join(ARTIFACTS, name);
}

/** Pages of a PDF and its text, with poppler-utils (pdfinfo, pdftotext). */
function pdfFacts(file) {
  let pages;
  let size = null;
  try {
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    pages = Number((info.match(/^Pages:\s+(\d+)/m) || [])[1]);
    size = (info.match(/^Page size:\s+([\d.]+) x ([\d.]+) pts/m) || []).slice(1).map(Number);
  } catch {
    // No pdfinfo: count the page objects (not /Pages, the tree).
    const raw = fs.readFileSync(file, 'latin1');
    pages = (raw.match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
  }
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { pages, size, text, flat: squash(text) };
}

/** The text of one page of a PDF, whitespace removed. */
function pdfPageText(file, n) {
  return squash(execFileSync('pdftotext', ['-enc', 'UTF-8', '-f', String(n), '-l', String(n), file, '-'], { encoding: 'utf8' }));
}

/** mm from PDF points. */
const mm = (pt) => Math.round((pt * 25.4) / 72);

/** Only BASE_URL is reachable: tiles and anything else are aborted. */
async function confine(context) {
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    let origin;
    try { origin = new URL(u).origin; } catch { return route.abort(); }
    return origin === ORIGIN ? route.continue() : route.abort('internetdisconnected');
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT * 2);
}

/** A page that records uncaught script errors and the server's error answers. */
async function openPage(context, viewport) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.jsErrors = [];
  page.on('pageerror', (e) => page.jsErrors.push(String(e && e.message ? e.message : e)));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().startsWith(ORIGIN + '/')) page.jsErrors.push(`HTTP ${r.status()} for ${r.url().slice(ORIGIN.length)}`);
  });
  return page;
}

async function goto(page, pathAndQuery) {
  const resp = await page.goto(BASE + pathAndQuery, { waitUntil: 'load' });
  check(resp, `no response for ${pathAndQuery}`);
  check(resp.status() < 400, `GET ${pathAndQuery} answered HTTP ${resp.status()}`);
  return resp;
}

function noJsErrors(page, where) {
  check(page.jsErrors.length === 0, `JavaScript errors or failed requests on ${where}: ${page.jsErrors.join(' | ')}`);
}

/** Facility ids of the result list, in order. */
const resultIds = (page) => page.$$eval('#results li.result', (lis) => lis.map((li) => li.getAttribute('data-id')));

/** Facility ids of the comparison table's columns. */
async function compareColumns(page) {
  return page.$$eval('table.compare thead th[scope=col]', (ths) =>
    ths.map((th) => {
      const a = th.querySelector('a[href^="/facilities/"]');
      return { id: a ? a.getAttribute('href').split('/').pop() : null, name: a ? a.textContent.trim() : th.textContent.trim() };
    }),
  );
}

/** "（363 m）" / "（1.2 km）" → metres. */
function metres(text) {
  const m = String(text).match(/([\d.,]+)\s*(km|m)\b/);
  if (!m) return NaN;
  const n = Number(m[1].replace(/,/g, ''));
  return m[2] === 'km' ? n * 1000 : n;
}

// -------------------------------------------------------------- scenarios

const scenarios = [];
const scenario = (id, title, fn) => scenarios.push({ id, title, fn });

scenario('a', 'search with JavaScript: list, map markers, hover, live query', async ({ context }) => {
  const page = await openPage(context, { width: 1280, height: 900 });
  await goto(page, SEARCH_HOME_NURSING);
  await page.waitForSelector('#results li.result');
  const names = await page.$$eval('#results li.result h3 a', (as) => as.map((a) => a.textContent.trim()));
  check(names.length >= 3, `expected ≥ 3 results for 訪問看護 in 下松市, got ${names.length}`);
  check(names[0].includes('訪問看護'), `first result should contain 訪問看護, got 「${names[0]}」`);

  // Markers (single facilities or clusters) drawn by Leaflet without tiles.
  await page.waitForFunction(() => document.querySelectorAll('#map .leaflet-marker-icon, #map .cluster').length > 0, null, { timeout: TIMEOUT })
    .catch(() => { throw new Failure('no Leaflet marker (#map .leaflet-marker-icon / .cluster) appeared'); });
  const markers = await page.$$eval('#map .leaflet-marker-icon, #map .cluster', (e) => e.length);
  // The municipal outlines (a GeoJSON layer) show where things are without tiles.
  await page.waitForFunction(() => document.querySelectorAll('#map .leaflet-overlay-pane path').length > 0, null, { timeout: TIMEOUT })
    .catch(() => { throw new Failure('no boundary outline (#map .leaflet-overlay-pane path) was drawn'); });

  // Hovering a list item highlights it.
  const first = page.locator('#results li.result').first();
  await first.hover();
  await page.waitForFunction(() => {
    const li = document.querySelector('#results li.result');
    return li && li.classList.contains('active');
  }, null, { timeout: 3000 }).catch(() => { throw new Failure('hovering the first result did not give it class "active"'); });

  // A new query updates the list live (no submit) and the address bar.
  const before = await resultIds(page);
  const searchBefore = await page.evaluate(() => location.search);
  await page.fill('#q', '');
  await page.locator('#q').pressSequentially('歯科', { delay: 30 });
  await page.waitForFunction(
    (old) => {
      const ids = [...document.querySelectorAll('#results li.result')].map((li) => li.getAttribute('data-id'));
      return ids.length > 0 && ids.join(',') !== old;
    },
    before.join(','),
    { timeout: TIMEOUT },
  ).catch(() => { throw new Failure('typing 歯科 into #q did not update #results live'); });
  const liveNames = await page.$$eval('#results li.result h3 a', (as) => as.map((a) => a.textContent.trim()));
  check(liveNames.some((n) => n.includes('歯科')), `live results for 歯科 contain no 歯科: ${liveNames.slice(0, 5).join('、')}`);
  await page.waitForFunction(() => decodeURIComponent(location.search).includes('q=歯科'), null, { timeout: 5000 })
    .catch(async () => {
      throw new Failure(`location.search did not change to contain q=歯科 (was ${searchBefore}, now ${await page.evaluate(() => location.search)})`);
    });
  const title = await page.textContent('#results-title');
  check(/件見つかりました/.test(title || ''), `#results-title not updated after live search: 「${title}」`);
  await page.screenshot({ path: artifact('a-search-1280x900.png') });
  noJsErrors(page, 'the search page');
  await page.close();
  return `${names.length} results, ${markers} marker(s), ${liveNames.length} live results for 歯科`;
});

scenario('b', 'near an address without GPS: distances ascending', async ({ context }) => {
  const page = await openPage(context, { width: 1280, height: 900 });
  await goto(page, SEARCH_NEAR_ADDRESS);
  await page.waitForSelector('#results li.result');
  const rows = await page.$$eval('#results li.result', (lis) =>
    lis.map((li) => ({ name: li.querySelector('h3')?.textContent.trim(), distance: li.querySelector('.distance')?.textContent.trim() || null })),
  );
  check(rows.length > 0, 'no results near 下松市大手町3丁目');
  const missing = rows.filter((r) => !r.distance);
  check(missing.length === 0, `results without a .distance: ${missing.map((r) => r.name).slice(0, 5).join('、')}`);
  const bad = rows.filter((r) => !/\d\s*(m|km)/.test(r.distance));
  check(bad.length === 0, `.distance not in m/km: ${bad.map((r) => r.distance).join(' ')}`);
  const d = rows.map((r) => metres(r.distance));
  for (let i = 1; i < d.length; i++) {
    check(d[i] >= d[i - 1], `distances not ascending at #${i + 1}: ${rows[i - 1].distance} then ${rows[i].distance}`);
  }
  noJsErrors(page, 'the search page (near an address)');
  await page.close();
  return `${rows.length} results, ${rows[0].distance} … ${rows[rows.length - 1].distance}`;
});

let facilityPath = null; // shared with the accessibility scenario

scenario('c', 'facility page: contact, JSON-LD, PDF of 1–2 A4 pages', async ({ context }) => {
  const page = await openPage(context, { width: 1280, height: 900 });
  await goto(page, SEARCH_HOME_NURSING);
  const link = page.locator('#results li.result h3 a').first();
  await link.waitFor();
  const listed = (await link.textContent()).trim();
  await Promise.all([page.waitForURL(/\/facilities\/\d+/), link.click()]);
  facilityPath = new URL(page.url()).pathname;
  const h1 = (await page.textContent('h1'))?.trim();
  check(h1, 'the facility page has no h1');
  check(squash(h1).includes(squash(listed)) || squash(listed).includes(squash(h1)), `h1 「${h1}」 is not the clicked result 「${listed}」`);
  check(await page.locator('main a[href^="tel:"]').count() > 0, 'no tel: link on the facility page');
  const hours = await page.locator('table.hours').count();
  const provenance = await page.evaluate(() => {
    const h2 = [...document.querySelectorAll('section h2')].find((h) => h.textContent.includes('情報について'));
    return h2 ? h2.closest('section').textContent : null;
  });
  check(hours > 0 || (provenance && provenance.includes('最終確認日')), 'neither table.hours nor a 「情報について」 section with 最終確認日');
  const ld = await page.$$eval('script[type="application/ld+json"]', (ss) => ss.map((s) => s.textContent));
  check(ld.length > 0, 'no <script type="application/ld+json">');
  let data;
  try { data = JSON.parse(ld[0]); } catch (e) { throw new Failure(`JSON-LD does not parse: ${e.message}`); }
  const types = [].concat(data['@type'] || []);
  const allowed = ['Hospital', 'MedicalClinic', 'Dentist', 'Pharmacy', 'MedicalBusiness', 'LocalBusiness'];
  check(types.some((t) => allowed.includes(t)), `JSON-LD @type is ${JSON.stringify(data['@type'])}, expected one of ${allowed.join('/')}`);

  const pdf = artifact('c-facility.pdf');
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: artifact('c-facility-print.png'), fullPage: true });
  await page.emulateMedia({ media: null }); // back to the default: page.pdf() prints with print CSS
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });
  const f = pdfFacts(pdf);
  check(f.pages >= 1 && f.pages <= 2, `facility PDF has ${f.pages} pages, expected 1–2`);
  check(f.flat.includes(squash(h1)), `facility PDF text does not contain the name 「${h1}」`);
  noJsErrors(page, facilityPath);
  await page.close();
  return `${facilityPath} 「${h1}」 @type ${types.join('/')}, PDF ${f.pages} page(s)`;
});

scenario('d', 'booklet: A4 and A5 PDFs with contents and sources', async ({ context }) => {
  const page = await openPage(context, { width: 1280, height: 900 });
  const out = {};
  const problems = [];
  const want = (cond, msg) => { if (!cond) problems.push(msg); };
  for (const size of ['A4', 'A5']) {
    const url = `/print/booklet?area=${KUDAMATSU}` + (size === 'A5' ? '&size=A5' : '');
    await goto(page, url);
    const file = artifact(`d-booklet-${size}.pdf`);
    await page.pdf({ path: file, format: size, preferCSSPageSize: true, printBackground: true });
    const f = pdfFacts(file);
    out[size] = f;
    for (const w of ['下松市', 'もくじ']) want(f.flat.includes(w), `${size} booklet PDF does not contain 「${w}」`);
    want(f.flat.includes('地域包括支援センター') || f.flat.includes('訪問看護ステーション'),
      `${size} booklet PDF contains neither 地域包括支援センター nor 訪問看護ステーション`);
    // The attribution section: its heading and at least one licence line.
    const at = f.flat.lastIndexOf('出典');
    want(at >= 0, `${size} booklet PDF has no attribution section (出典)`);
    want(at >= 0 && /CC ?BY|CC0|ライセンス|国土数値情報/.test(f.flat.slice(at)), `${size} booklet PDF: the 出典 section lists no source or licence`);
    // The cover is one page: the contents start on page 2.
    const second = pdfPageText(file, 2);
    want(second.includes('もくじ'), `${size} booklet: the cover does not fit on one page — page 2 of ${f.pages} is not もくじ but 「${second.slice(0, 60)}」`);
    if (f.size && f.size.length === 2) {
      const [w, h] = f.size.map(mm);
      const expect = size === 'A4' ? [210, 297] : [148, 210];
      want(Math.abs(w - expect[0]) <= 2 && Math.abs(h - expect[1]) <= 2, `${size} booklet pages are ${w}×${h} mm, expected ${expect.join('×')} mm`);
    }
  }
  want(out.A5.pages > out.A4.pages, `A5 booklet has ${out.A5.pages} pages, not more than A4's ${out.A4.pages}`);
  want(page.jsErrors.length === 0, `JavaScript errors or failed requests on the booklet: ${page.jsErrors.join(' | ')}`);
  await page.close();
  check(problems.length === 0, `(A4 ${out.A4.pages} pages, A5 ${out.A5.pages} pages) ` + problems.join('\n      '));
  return `A4 ${out.A4.pages} pages, A5 ${out.A5.pages} pages`;
});

scenario('e', 'shortlist: add two, compare, share link in a new context', async ({ context, browser }) => {
  await context.clearCookies();
  const page = await openPage(context, { width: 1280, height: 900 });
  await goto(page, SEARCH_HOME_NURSING);
  await page.waitForSelector('#results li.result .shortlist-add');
  const adds = page.locator('#results li.result .shortlist-add');
  check(await adds.count() >= 2, 'fewer than two 「比較リストに追加」 links');
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const a = adds.nth(i);
    ids.push(await a.getAttribute('data-id'));
    await a.click();
    await page.waitForFunction((i) => document.querySelectorAll('#results li.result .shortlist-add')[i]?.textContent.includes('追加しました'), i, { timeout: 3000 })
      .catch(async () => { throw new Failure(`「比較リストに追加」 #${i + 1} did not confirm (text is 「${(await a.textContent().catch(() => '?')).trim()}」, page ${page.url()})`); });
  }
  check(page.url().startsWith(BASE + '/?'), `adding with JavaScript left the search page (now ${page.url()})`);
  const count = (await page.textContent('[data-shortlist-count] .count'))?.trim();
  check(count === '（2）', `header shortlist count is 「${count}」, expected （2）`);

  await goto(page, '/shortlist');
  await page.waitForSelector('table.compare').catch(() => { throw new Failure('/shortlist shows no table.compare'); });
  const cols = await compareColumns(page);
  check(cols.length === 2, `comparison table has ${cols.length} facility columns, expected 2`);
  check(cols.map((c) => c.id).join(',') === ids.join(','), `columns are ${cols.map((c) => c.id)} but added ${ids}`);
  await page.screenshot({ path: artifact('e-shortlist.png'), fullPage: true });
  const share = await page.inputValue('input.share');
  check(/\/shortlist\?ids=/.test(share), `share link looks wrong: ${share}`);
  noJsErrors(page, '/shortlist');
  await page.close();

  // The share link alone (no cookies) shows the same list.
  const fresh = await browser.newContext();
  try {
    await confine(fresh);
    check((await fresh.cookies()).length === 0, 'the new context already has cookies');
    const p2 = await openPage(fresh, { width: 1280, height: 900 });
    const shareUrl = new URL(share, BASE);
    const resp = await p2.goto(shareUrl.href);
    check(resp && resp.status() === 200, `share link ${share} answered ${resp && resp.status()}`);
    const cols2 = await compareColumns(p2);
    check(cols2.length === 2, `share link in a new context shows ${cols2.length} columns, expected 2`);
    check(cols2.map((c) => c.id).join(',') === ids.join(','), `share link shows ${cols2.map((c) => c.id)}, expected ${ids}`);
  } finally {
    await fresh.close();
  }
  await context.clearCookies();
  return `ids ${ids.join(', ')}; share ${share}`;
});

scenario('f', 'without JavaScript: results, pager, cookie shortlist, 文字を大きく', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    await confine(context);
    const page = await openPage(context, { width: 1280, height: 900 });
    await goto(page, SEARCH_DENTAL);
    const page1 = await resultIds(page);
    check(page1.length > 0, 'no server-rendered results for 歯科 in 下松市');
    const summary = (await page.textContent('#results-title')) || '';
    const total = Number((summary.match(/(\d+)件見つかりました/) || [])[1]);
    check(total > 0, `summary does not give a count: 「${summary}」`);
    let paged = 'one page';
    if (total > page1.length) {
      check(await page.locator('nav.pager').count() === 1, `${total} results on ${page1.length} per page but no nav.pager`);
      const next = page.locator('nav.pager a', { hasText: '次へ' });
      check(await next.count() === 1, 'nav.pager has no 「次へ」 link');
      await Promise.all([page.waitForURL(/[?&]page=2(&|$)/), next.click()]);
      const page2 = await resultIds(page);
      check(page2.length > 0, 'page 2 has no results');
      const overlap = page2.filter((id) => page1.includes(id));
      check(overlap.length === 0, `page 2 repeats results of page 1: ${overlap.join(', ')}`);
      const current = (await page.textContent('nav.pager [aria-current="page"]'))?.trim();
      check(current === '2', `pager marks page 「${current}」 as current on page 2`);
      paged = `page 1: ${page1.length}, page 2: ${page2.length} of ${total}`;
    }

    // The shortlist works with the cookie alone.
    const id = page1[0];
    const resp = await page.goto(`${BASE}/shortlist/add/${id}?back=/`);
    check(resp.status() === 200 && new URL(page.url()).pathname === '/', `/shortlist/add/${id}?back=/ ended at ${page.url()} (${resp.status()})`);
    const cookie = (await context.cookies(BASE)).find((c) => c.name === 'shortlist');
    check(cookie && cookie.value.split('.').includes(id), `no shortlist cookie with ${id} after /shortlist/add (${JSON.stringify(cookie)})`);
    await goto(page, '/shortlist');
    const cols = await compareColumns(page);
    check(cols.length === 1 && cols[0].id === id, `/shortlist without JavaScript shows ${JSON.stringify(cols)}, expected facility ${id}`);

    // 文字を大きく: a link, a cookie, a redirect back.
    await goto(page, SEARCH_DENTAL);
    check(!(await page.evaluate(() => document.body.classList.contains('large-text'))), 'body already has large-text');
    await Promise.all([page.waitForLoadState('load'), page.locator('a.large-toggle').click()]);
    await page.waitForLoadState('load');
    const after = new URL(page.url());
    check(after.pathname === '/' && after.searchParams.get('q') === '歯科', `文字を大きく did not return to the page (now ${page.url()})`);
    check(await page.evaluate(() => document.body.classList.contains('large-text')), 'body has no class large-text after 文字を大きく');
    // The link says what it will do next (a link cannot carry aria-pressed).
    const label = (await page.textContent('a.large-toggle')).trim();
    check(label === '文字を標準に戻す', `a.large-toggle reads 「${label}」 after turning large text on`);
    await page.screenshot({ path: artifact('f-nojs-large-text.png') });
    return `${paged}; shortlist cookie ${cookie.value}; large-text on`;
  } finally {
    await context.close();
  }
});

scenario('g', 'small screen 320×640: no horizontal scroll, list before map', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  try {
    await confine(context);
    const page = await openPage(context);
    await goto(page, SEARCH_HOME_NURSING);
    await page.waitForSelector('#results li.result');
    await page.waitForFunction(() => document.querySelectorAll('#map .leaflet-marker-icon, #map .cluster').length > 0, null, { timeout: TIMEOUT }).catch(() => {});
    const m = await page.evaluate(() => {
      const de = document.documentElement;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('#map'))
        .map((e) => ({ e, r: e.getBoundingClientRect() }))
        .filter(({ r }) => r.right > de.clientWidth + 1 && r.width > 0)
        .slice(0, 5)
        .map(({ e, r }) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(r.right)})`);
      const list = document.querySelector('#results'), map = document.querySelector('#map');
      return {
        scrollWidth: de.scrollWidth,
        clientWidth: de.clientWidth,
        wide,
        domOrder: list && map ? Boolean(list.compareDocumentPosition(map) & Node.DOCUMENT_POSITION_FOLLOWING) : null,
        listTop: list ? list.getBoundingClientRect().top + scrollY : null,
        mapTop: map ? map.getBoundingClientRect().top + scrollY : null,
      };
    });
    await page.screenshot({ path: artifact('g-search-320x640.png'), fullPage: true });
    check(m.scrollWidth <= 320 + 1, `horizontal scrolling: documentElement.scrollWidth ${m.scrollWidth} > 321 (wider elements: ${m.wide.join('; ') || 'none found outside #map'})`);
    check(m.domOrder === true, 'the #results list does not come before #map in the document');
    check(m.listTop < m.mapTop, `the list is not above the map on screen (list at ${m.listTop}px, map at ${m.mapTop}px)`);
    noJsErrors(page, 'the search page at 320 px');
    return `scrollWidth ${m.scrollWidth}, list at ${Math.round(m.listTop)}px, map at ${Math.round(m.mapTop)}px`;
  } finally {
    await context.close();
  }
});

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')), count: v.nodes.length }));
  });
}

scenario('h', 'accessibility: axe-core, labels, skip link', async ({ context }) => {
  const problems = [];
  const notes = [];
  await context.clearCookies();
  const page = await openPage(context, { width: 1280, height: 900 });

  // The skip link is the first thing Tab reaches.
  await goto(page, '/');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    return a ? { tag: a.tagName.toLowerCase(), cls: a.className, text: a.textContent.trim(), href: a.getAttribute('href') } : null;
  });
  if (!focused || focused.text !== '本文へ移動') problems.push(`first Tab focuses ${JSON.stringify(focused)}, expected the 「本文へ移動」 skip link`);
  else if (focused.href !== '#main') problems.push(`skip link points to ${focused.href}, expected #main`);

  // Every visible form control on / has an accessible name.
  const unlabeled = await page.evaluate(() => {
    const text = (e) => (e ? e.textContent.replace(/\s+/g, ' ').trim() : '');
    const out = [];
    for (const c of document.querySelectorAll('input, select, textarea, button')) {
      if (c.type === 'hidden' || c.hidden || c.closest('[hidden]')) continue;
      const style = getComputedStyle(c);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      let name = '';
      const lb = c.getAttribute('aria-labelledby');
      if (lb) name = lb.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
      if (!name) name = (c.getAttribute('aria-label') || '').trim();
      if (!name && c.labels) name = [...c.labels].map(text).join(' ').trim();
      if (!name && c.tagName === 'BUTTON') name = text(c);
      if (!name && c.type === 'submit') name = c.value || '';
      if (!name) name = (c.getAttribute('title') || '').trim();
      if (!name) out.push(`${c.tagName.toLowerCase()}${c.id ? '#' + c.id : ''}[name=${c.name || ''}]`);
    }
    return out;
  });
  if (unlabeled.length) problems.push(`form controls on / without an accessible label: ${unlabeled.join(', ')}`);

  // axe-core on the search page, a facility page and the shortlist.
  const target = facilityPath || null;
  let facility = target;
  if (!facility) {
    await goto(page, SEARCH_HOME_NURSING);
    facility = await page.getAttribute('#results li.result h3 a', 'href');
  }
  const firstTwo = (await page.request.get(`${BASE}/api/v1/facilities${qs({ q: '訪問看護', municipality: KUDAMATSU })}`).then((r) => r.json())).items.slice(0, 2).map((i) => i.id);
  for (const id of firstTwo) await page.request.get(`${BASE}/shortlist/add/${id}?back=/`, { maxRedirects: 0 });
  const pages = [['/', '/'], ['a facility page', facility], ['/shortlist', '/shortlist']];
  for (const [label, url] of pages) {
    await goto(page, url);
    if (url === '/') await page.waitForFunction(() => document.querySelectorAll('#map .leaflet-marker-icon, #map .cluster').length > 0, null, { timeout: TIMEOUT }).catch(() => {});
    if (url === '/shortlist') check(await page.locator('table.compare').count() === 1, '/shortlist shows no comparison table to check');
    const v = await axe(page);
    const bad = v.filter((x) => x.impact === 'critical' || x.impact === 'serious');
    const minor = v.filter((x) => !(x.impact === 'critical' || x.impact === 'serious'));
    for (const x of bad) problems.push(`${label} (${url}): axe ${x.impact} ${x.id} — ${x.help} — ${x.count} node(s): ${x.targets.join(' | ')}`);
    if (minor.length) notes.push(`${label}: ${minor.map((x) => `${x.id}(${x.impact})`).join(', ')}`);
  }
  await context.clearCookies();
  await page.close();
  const minor = notes.length ? [`(minor, not failing: ${notes.join('; ')})`] : [];
  check(problems.length === 0, [...problems, ...minor].join('\n      '));
  return notes.length ? `no serious/critical violations; minor: ${notes.join('; ')}` : 'no violations';
});

scenario('i', 'API from the browser: near=abc is a 400 naming the parameter', async ({ context }) => {
  const page = await openPage(context);
  await goto(page, '/about');
  const r = await page.evaluate(async () => {
    const resp = await fetch('/api/v1/facilities?near=abc');
    const type = resp.headers.get('content-type');
    let body = null;
    try { body = await resp.json(); } catch { /* not JSON */ }
    return { status: resp.status, type, body };
  });
  check(r.status === 400, `status ${r.status}, expected 400`);
  check(/json/.test(r.type || ''), `content-type ${r.type}, expected JSON`);
  check(r.body && r.body.error && r.body.error.parameter === 'near', `body ${JSON.stringify(r.body)} lacks error.parameter = "near"`);
  await page.close();
  return `400 ${r.body.error.code || ''}: ${r.body.error.message || ''}`;
});

// ------------------------------------------------------------------- run

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagi-chromium-'));
  const started = Date.now();
  let context;
  const results = [];
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        // Belt and braces with the request routing: no name but the server's resolves.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE ' + new URL(BASE).hostname,
      ],
      viewport: { width: 1280, height: 900 },
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
    });
    await confine(context);
    const browser = context.browser();
    console.log(`chromium ${browser.version()} against ${BASE}`);
    const chosen = scenarios.filter((s) => !ONLY.length || ONLY.includes(s.id));
    for (const s of chosen) {
      const t0 = Date.now();
      try {
        const detail = await s.fn({ context, browser });
        results.push({ s, ok: true });
        console.log(`PASS ${s.id}. ${s.title} (${((Date.now() - t0) / 1000).toFixed(1)} s)${detail ? ' — ' + detail : ''}`);
      } catch (e) {
        results.push({ s, ok: false });
        const reason = e instanceof Failure ? e.message : (e && e.stack) || String(e);
        console.log(`FAIL ${s.id}. ${s.title} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n      ${reason}`);
        for (const p of context.pages()) await p.close().catch(() => {});
      }
    }
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s; artifacts in ${path.relative(process.cwd(), ARTIFACTS) || ARTIFACTS}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e && e.stack ? e.stack : e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
