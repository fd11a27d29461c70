// Drives the gateway's pages (/web/) in Debian's headless Chromium with playwright-core, as a real
// user signs in at the real Keycloak. Started by WebPagesTest with one scenario name and the
// scenario's input as JSON in SCENARIO_INPUT; prints one JSON line with what it saw (the Java test
// asserts on it) and fails (exit 1) on any broken expectation, which it names.
//
// Every page visited is checked the same way: axe-core (no serious or critical violation), every
// visible control reachable with the Tab key, no Content-Security-Policy violation, and a
// screenshot at 390 px and 1280 px under SCREENSHOTS.
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.BASE_URL; // http://127.0.0.1:<port>/web/
const SHOTS = process.env.SCREENSHOTS;
const input = JSON.parse(process.env.SCENARIO_INPUT || '{}');
const scenario = process.argv[2];
const result = { scenario, pages: {} };

mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Root in CI containers cannot use Chromium's sandbox.
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});

async function newPage(width = 390) {
  const context = await browser.newContext({ viewport: { width, height: 844 } });
  const page = await context.newPage();
  page.cspViolations = [];
  page.consoleErrors = [];
  page.on('console', message => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/Content.Security.Policy/i.test(text)) page.cspViolations.push(text);
    // 401/403/404 answers the page shows on purpose are logged by Chromium as failed loads.
    else if (!/Failed to load resource/.test(text)) page.consoleErrors.push(text);
  });
  page.on('pageerror', error => page.consoleErrors.push(String(error)));
  return { context, page };
}

async function ready(page, hash) {
  await page.waitForFunction(h => document.getElementById('main')?.dataset.ready === h, hash, { timeout: 30_000 });
}

/** Signs in through Keycloak's real login form (and its OTP form when asked). */
async function signIn(page, user, password, { otp, acr } = {}) {
  await page.goto(BASE);
  await ready(page, '/');
  await page.click('#sign-in');
  await page.waitForSelector('#username', { timeout: 30_000 });
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#kc-login')]);
  if (otp) await enterOtp(page, otp);
  await ready(page, '/');
  assert.match(await page.textContent('#who'), new RegExp(user.replace('.', '\\.')), 'signed in as ' + user);
}

async function enterOtp(page, otp) {
  await page.waitForSelector('#otp', { timeout: 30_000 });
  await page.fill('#otp', await otp());
  await Promise.all([page.waitForNavigation(), page.click('#kc-login')]);
}

async function go(page, hash) {
  await page.evaluate(h => { location.hash = '#' + h; }, hash);
  await ready(page, hash);
}

/** axe-core, keyboard reachability, CSP and screenshots of the page as it is now. */
async function check(page, name) {
  // Runs axe through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }));
  });
  const serious = axe.filter(v => v.impact === 'serious' || v.impact === 'critical');
  const unreachable = await keyboardUnreachable(page);
  await page.evaluate(() => document.activeElement?.blur());
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 390, height: 844 });
  result.pages[name] = { axeViolations: axe, serious: serious.length, unreachable, csp: page.cspViolations.slice() };
  assert.deepEqual(serious, [], `${name}: axe-core found serious or critical violations`);
  assert.deepEqual(unreachable, [], `${name}: controls not reachable with the Tab key`);
  assert.deepEqual(page.cspViolations, [], `${name}: Content-Security-Policy violations`);
  assert.deepEqual(page.consoleErrors, [], `${name}: script errors`);
}

/** Tabs through the whole page and names the visible, enabled controls focus never reached. */
async function keyboardUnreachable(page) {
  const count = await page.evaluate(() => {
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
      && getComputedStyle(e).visibility !== 'hidden' && !e.disabled && !e.closest('[hidden]')
      // the content of a closed <details> is reached by opening it (its summary is a control)
      && !(e.closest('details:not([open])') && !e.matches('summary'));
    // Marks of an earlier check of the same document are stale: the page changed since.
    document.querySelectorAll('[data-kb]').forEach(e => e.removeAttribute('data-kb'));
    const controls = [...document.querySelectorAll(selector)].filter(visible);
    controls.forEach((e, i) => e.setAttribute('data-kb', String(i)));
    window.__reached = new Set();
    document.addEventListener('focusin', e => {
      const kb = e.target.getAttribute && e.target.getAttribute('data-kb');
      if (kb !== null) window.__reached.add(kb);
    });
    document.activeElement?.blur();
    return controls.length;
  });
  // Some controls take several stops (a date input: day, month, year); tab until all were reached.
  for (let i = 0; i < count * 4 + 10; i++) {
    await page.keyboard.press('Tab');
    if (i % 10 === 9 && await page.evaluate(n => window.__reached.size >= n, count)) break;
  }
  return page.evaluate(() => [...document.querySelectorAll('[data-kb]')]
    .filter(e => !window.__reached.has(e.getAttribute('data-kb')))
    .map(e => e.outerHTML.slice(0, 120)));
}

/** What the browser keeps for the gateway's origin, read through the DevTools protocol. */
async function browserStorage(page) {
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(BASE).origin;
  const storageKey = origin + '/';
  await cdp.send('DOMStorage.enable');
  const local = await cdp.send('DOMStorage.getDOMStorageItems', { storageId: { storageKey, isLocalStorage: true } });
  const session = await cdp.send('DOMStorage.getDOMStorageItems', { storageId: { storageKey, isLocalStorage: false } });
  const indexedDb = await cdp.send('IndexedDB.requestDatabaseNames', { storageKey });
  const caches = await cdp.send('CacheStorage.requestCacheNames', { storageKey });
  const usage = await cdp.send('Storage.getUsageAndQuota', { origin });
  return {
    localStorage: local.entries.length,
    sessionStorage: session.entries.length,
    indexedDb: indexedDb.databaseNames.length,
    cacheStorage: caches.caches.length,
    usage: usage.usage,
  };
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) of the demo user's known secret, as an authenticator app computes it. */
function totp(secret) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac('sha1', Buffer.from(secret, 'utf8')).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

/** The dwv test page, its libraries from node_modules, and /dicomweb forwarded to the gateway. */
async function viewerServer(gateway) {
  const { createServer, request } = await import('node:http');
  const here = new URL('.', import.meta.url).pathname;
  const files = {
    '/viewer.html': ['viewer/viewer.html', 'text/html'],
    '/viewer.js': ['viewer/viewer.js', 'text/javascript'],
    '/shim/konva.js': ['viewer/shim-konva.js', 'text/javascript'],
    '/shim/jszip.js': ['viewer/shim-jszip.js', 'text/javascript'],
    '/shim/magic-wand-tool.js': ['viewer/shim-magic-wand-tool.js', 'text/javascript'],
    '/lib/konva.min.js': ['node_modules/konva/konva.min.js', 'text/javascript'],
    '/lib/jszip.min.js': ['node_modules/jszip/dist/jszip.min.js', 'text/javascript'],
    '/lib/magic-wand.js': ['node_modules/magic-wand-tool/dist/magic-wand.js', 'text/javascript'],
    '/dwv/dwv.min.js': ['node_modules/dwv/dist/dwv.min.js', 'text/javascript'],
  };
  const server = createServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/dicomweb/')) {
      const target = new URL(req.url, gateway);
      const forward = request(target, { method: req.method, headers: {
        authorization: req.headers.authorization || '', accept: req.headers.accept || '*/*' } }, answer => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', e => { res.writeHead(502); res.end(String(e)); });
      req.pipe(forward);
      return;
    }
    const file = files[path];
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file[1] });
    res.end(readFileSync(here + file[0]));
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function findPatient(page, mrn, buttonText) {
  await page.fill('input[name=mrn]', mrn);
  await page.click(`button:has-text("${buttonText}")`);
}

// ---------------------------------------------------------------------------------------------

const scenarios = {
  /** Signs in, captures the breast 5-view protocol (one upload fails on the network and is retried), checks storage, sees the gallery. */
  async capture() {
    const { page } = await newPage();
    await page.goto(BASE);
    await ready(page, '/');
    await check(page, 'sign-in');
    await signIn(page, input.user, input.password);
    await check(page, 'home');
    await go(page, '/capture');
    await findPatient(page, input.mrn, 'Find patient');
    await page.waitForSelector('select[name=protocol]');
    if (await page.isVisible('input[name=encounter-other]')) {
      await page.fill('input[name=encounter-other]', input.encounter);
    } else {
      await page.selectOption('select[name=encounter]', { label: new RegExp(input.encounter) });
    }
    await page.selectOption('select[name=department]', input.department);
    await page.selectOption('select[name=protocol]', input.protocol);
    await page.click('button:has-text("Start")');
    await page.waitForSelector('.checklist li');
    const rows = await page.$$('.checklist li');
    assert.equal(rows.length, input.images.length, 'one checklist row per view of the protocol');
    result.missingBefore = await page.textContent('#checklist-status');
    await check(page, 'capture-checklist');

    // The first view's upload is cut off on the way: the row says so and offers a retry.
    let cut = true;
    await page.route('**/api/v1/photos', route => {
      if (cut && route.request().method() === 'POST') {
        cut = false;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    const progress = [];
    await page.exposeFunction('__progress', (view, value) => progress.push({ view, value }));
    await page.evaluate(() => {
      for (const bar of document.querySelectorAll('.checklist progress')) {
        new MutationObserver(() => window.__progress(bar.closest('li').dataset.view, Number(bar.value)))
          .observe(bar, { attributes: true, attributeFilter: ['aria-valuetext', 'value'] });
      }
    });
    const views = await page.$$eval('.checklist li', items => items.map(li => li.dataset.view));
    for (let i = 0; i < views.length; i++) {
      const row = `.checklist li[data-view="${views[i]}"]`;
      await page.setInputFiles(`${row} input[type=file]`, input.images[i]);
      if (i === 0) {
        await page.waitForSelector(`${row} button:has-text("Retry"):visible`);
        result.failedRowText = await page.textContent(row);
        assert.match(result.failedRowText, /Failed/, 'the cut upload is shown as failed');
        await check(page, 'capture-failed-upload');
        await page.click(`${row} button:has-text("Retry")`);
      }
      await page.waitForSelector(`${row}.done`, { timeout: 60_000 });
      if (i < views.length - 1) {
        const status = await page.textContent('#checklist-status');
        assert.match(status, /^Missing/, 'views still missing after ' + (i + 1));
      }
    }
    await page.unroute('**/api/v1/photos');
    result.progress = progress;
    result.rows = await page.$$eval('.checklist li', items => items.map(li => ({
      view: li.dataset.view, photoId: li.dataset.photoId, done: li.classList.contains('done'),
      progress: Number(li.querySelector('progress').value), state: li.querySelector('.view-state').textContent })));
    result.checklistStatus = await page.textContent('#checklist-status');
    assert.match(result.checklistStatus, /^Complete/, 'the checklist is complete');
    await check(page, 'capture-complete');
    result.storageAfterCapture = await browserStorage(page);

    await go(page, '/gallery');
    await findPatient(page, input.mrn, 'Show photos');
    await page.waitForFunction(n => document.querySelectorAll('.gallery figure.loaded').length >= n, input.images.length,
      { timeout: 60_000 });
    result.gallery = await page.$$eval('.gallery section.encounter', sections => sections.map(s => ({
      heading: s.querySelector('h2').textContent,
      groups: [...s.querySelectorAll('h3')].map(h => h.textContent),
      photos: [...s.querySelectorAll('figure')].map(f => f.dataset.photoId),
      loaded: s.querySelectorAll('figure.loaded').length })));
    result.blobUrlsLeft = await page.$$eval('img', imgs => imgs.filter(i => i.src.startsWith('blob:')).length);
    await check(page, 'gallery');
    result.storageAfterGallery = await browserStorage(page);

    await page.click('#sign-out');
    await page.waitForURL(url => url.href.startsWith(BASE), { timeout: 30_000 });
    await ready(page, '/');
    result.afterSignOut = { signInShown: await page.isVisible('#sign-in'), who: await page.textContent('#who') };
    result.storageAfterSignOut = await browserStorage(page);
  },

  /** Before/after: the same view from two encounters side by side. */
  async compare() {
    const { page } = await newPage();
    await signIn(page, input.user, input.password);
    await go(page, '/compare');
    await findPatient(page, input.mrn, 'Choose photos');
    await page.waitForSelector('select[name=view]');
    await page.selectOption('select[name=before]', input.before);
    await page.selectOption('select[name=after]', input.after);
    await page.click('button:has-text("Compare")');
    await page.waitForFunction(() => document.querySelectorAll('.pair figure.loaded').length === 2, null, { timeout: 60_000 });
    result.pair = await page.$$eval('.pair figure', figures => figures.map(f => ({
      photoId: f.dataset.photoId, caption: f.querySelector('figcaption').textContent,
      width: f.querySelector('img').naturalWidth, height: f.querySelector('img').naturalHeight,
      left: Math.round(f.getBoundingClientRect().left), top: Math.round(f.getBoundingClientRect().top) })));
    await check(page, 'compare');
  },

  /** Consent at the bedside: choices, the photos shown, a drawn signature, review, confirmation. */
  async consent() {
    const { page } = await newPage();
    await signIn(page, input.user, input.password);
    await go(page, '/consent');
    await findPatient(page, input.mrn, 'Continue');
    await page.waitForSelector('#consent-choices');
    await page.check('input[name=teaching]');
    await page.check('input[name=publication]');
    await page.check('input[name=specific-use]');
    await page.fill('input[name=specific-use-description]', 'Annual plastic surgery congress: one talk');
    await page.fill('input[name=specific-use-start]', '2027-03-01');
    await page.fill('input[name=specific-use-end]', '2027-03-31');
    await page.fill('input[name=encounter]', input.encounter);
    await page.click('button:has-text("Show the photos to the patient")');
    await page.waitForFunction(n => document.querySelectorAll('#consent-choices figure.loaded').length >= n,
      input.photoCount, { timeout: 60_000 });
    // Reviewing without a signature is refused.
    await page.click('button:has-text("Review")');
    result.unsignedMessage = await page.textContent('#consent-choices [role=alert]');
    await check(page, 'consent-choices');
    // The mouse works in the viewport: bring the signature area into view first.
    await page.locator('canvas.signature').scrollIntoViewIfNeeded();
    const box = await page.locator('canvas.signature').boundingBox();
    await page.mouse.move(box.x + 30, box.y + 120);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 30 + i * 12, box.y + 120 - Math.sin(i / 3) * 50);
    await page.mouse.up();
    await page.click('button:has-text("Review")');
    await page.waitForSelector('#consent-review');
    await page.waitForFunction(n => document.querySelectorAll('#consent-review figure.loaded').length >= n,
      input.photoCount, { timeout: 60_000 });
    result.reviewPhotos = await page.$$eval('#consent-review figure', f => f.map(x => x.dataset.photoId));
    await check(page, 'consent-review');
    await page.click('#confirm-consent');
    await page.waitForSelector('#consent-stored, #consent-review [role=alert]', { timeout: 30_000 });
    const stored = await page.$('#consent-stored');
    assert.ok(stored, 'consent stored: ' + await page.textContent('#consent-review'));
    result.consentId = await stored.getAttribute('data-consent-id');
    await check(page, 'consent-stored');
  },

  /** Compliance: verification, consent versions, the patient's audit trail, break-glass grants. */
  async compliance() {
    const { page } = await newPage();
    await signIn(page, input.user, input.password);
    await go(page, '/compliance');
    await page.waitForSelector('#verification-state', { timeout: 30_000 });
    result.verification = await page.textContent('#verification-state');
    await findPatient(page, input.mrn, 'Show consents and audit trail');
    await page.waitForSelector('#consent-history, #audit-trail', { timeout: 30_000 });
    await page.waitForSelector('#audit-trail');
    result.consentVersions = await page.$$eval('#consent-history tbody tr', rows => rows.map(r => [...r.cells].map(c => c.textContent)));
    result.auditRows = await page.$$eval('#audit-trail tbody tr', rows => rows.length);
    result.grants = await page.textContent('#grants');
    await check(page, 'compliance');
  },

  /** Administration: counts, queue depth and oldest age, FAILED items with a retry button. */
  async admin() {
    const { page } = await newPage();
    await signIn(page, input.user, input.password);
    await go(page, '/admin');
    await page.waitForSelector('#work-summary table, #work-summary [role=alert]', { timeout: 30_000 });
    await page.waitForSelector('#failed-items table, #failed-items p', { timeout: 30_000 });
    result.summary = await page.textContent('#work-summary');
    result.failedRows = await page.$$eval('#failed-table tbody tr', rows => rows.map(r => r.dataset.itemId));
    await check(page, 'admin');
    if (input.retry) {
      const row = `#failed-table tr[data-item-id="${input.retry}"]`;
      await page.click(`${row} button`);
      await page.waitForSelector(`${row} .ok`, { timeout: 30_000 });
      result.retried = await page.textContent(`${row} .ok`);
    }
  },

  /** A clinician of another department: the withheld note, then break-the-glass without and with a reason. */
  async breakglass() {
    const { page } = await newPage();
    await signIn(page, input.user, input.password);
    await go(page, '/gallery');
    await findPatient(page, input.mrn, 'Show photos');
    await page.waitForSelector('#withheld-note');
    result.withheldNote = await page.textContent('#withheld-note p');
    await check(page, 'gallery-withheld');
    await page.click('button:has-text("List them to break the glass")');
    await page.waitForSelector('#withheld-list a');
    await Promise.all([page.waitForFunction(() => location.hash.startsWith('#/photo/')), page.click('#withheld-list a')]);
    await ready(page, '/photo/' + input.photoId);
    await page.waitForSelector('#break-glass');
    result.shownBeforeGrant = await page.$('#photo-full') !== null;
    await check(page, 'photo-break-glass');
    await page.click('#break-glass button[type=submit]');
    result.withoutReason = await page.textContent('#break-glass [role=alert]');
    await page.fill('#break-glass textarea', 'urgent');
    await page.click('#break-glass button[type=submit]');
    await page.waitForFunction(() => !/Give a reason/.test(document.querySelector('#break-glass [role=alert]')?.textContent || 'Give a reason'));
    result.shortReason = await page.textContent('#break-glass [role=alert]');
    await page.fill('#break-glass textarea', 'Emergency: patient in resuscitation, surgical site check');
    await page.click('#break-glass button[type=submit]');
    await page.waitForFunction(() => document.getElementById('photo-full')?.naturalWidth > 0, null, { timeout: 60_000 });
    result.shownAfterGrant = true;
    await check(page, 'photo');
  },

  /** A sensitive photo: the API asks for a second factor, the page re-authorises, a wrong OTP is refused, the right one opens it. */
  async stepup() {
    const { page } = await newPage();
    await signIn(page, input.user, input.password);
    await page.evaluate(id => { location.hash = '#/photo/' + id; }, input.photoId);
    await page.waitForSelector('#otp', { timeout: 30_000 });
    result.stepUpUrl = page.url();
    const good = totp(input.otpSecret);
    await page.fill('#otp', good === '000000' ? '111111' : '000000');
    await Promise.all([page.waitForNavigation(), page.click('#kc-login')]);
    result.afterWrongOtp = { url: page.url(), otpAskedAgain: await page.isVisible('#otp'),
      error: (await page.textContent('body')).match(/Invalid authenticator code\.?/)?.[0] || null };
    await page.fill('#otp', totp(input.otpSecret));
    await Promise.all([page.waitForURL(url => url.href.startsWith(BASE), { timeout: 30_000 }), page.click('#kc-login')]);
    await ready(page, '/photo/' + input.photoId);
    await page.waitForFunction(() => document.getElementById('photo-full')?.naturalWidth > 0, null, { timeout: 60_000 });
    result.shownAfterOtp = true;
    await check(page, 'photo-step-up');
    result.storage = await browserStorage(page);
  },

  /**
   * An EHR viewer: dwv (npm), served here on its own port, opens a photo through the gateway's
   * /dicomweb door with the user's token (the server forwards /dicomweb to the gateway, as the
   * EHR's reverse proxy would); it must show the photo upright to a user of its department and
   * nothing to a user of another department.
   */
  async viewer() {
    const server = await viewerServer(input.gateway);
    const port = server.address().port;
    try {
      for (const [who, token] of [['permitted', input.permittedToken], ['other', input.otherToken]]) {
        const { page } = await newPage(480);
        const url = '/dicomweb/studies/' + input.study + '/series/' + input.series + '/instances/' + input.sop;
        await page.goto(`http://127.0.0.1:${port}/viewer.html#` + new URLSearchParams({ url, token }));
        await page.waitForFunction(() => window.viewer && window.viewer.done, null, { timeout: 60_000 });
        if (await page.evaluate(() => window.viewer.loaded)) {
          await page.waitForFunction(() => [...document.querySelectorAll('#layerGroup0 canvas')]
            .some(c => c.width > 0 && c.height > 0), null, { timeout: 30_000 });
        }
        const seen = await page.evaluate(() => {
          const canvases = [...document.querySelectorAll('#layerGroup0 canvas')];
          const canvas = canvases.find(c => c.width > 0 && c.height > 0);
          const out = { loaded: window.viewer.loaded, errors: window.viewer.errors, canvas: !!canvas };
          if (!canvas) return out;
          const ctx = canvas.getContext('2d');
          const mean = (x, y, w, h) => {
            const d = ctx.getImageData(Math.round(x * canvas.width), Math.round(y * canvas.height),
              Math.max(1, Math.round(w * canvas.width)), Math.max(1, Math.round(h * canvas.height))).data;
            let sum = 0;
            for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
            return Math.round(sum / (d.length / 4));
          };
          // The photo's dark block is its top-left sixth; the rest is a light colour.
          out.size = [canvas.width, canvas.height];
          out.topLeft = mean(0.03, 0.03, 0.2, 0.1);
          out.topRight = mean(0.77, 0.03, 0.2, 0.1);
          out.bottomLeft = mean(0.03, 0.87, 0.2, 0.1);
          out.bottomRight = mean(0.77, 0.87, 0.2, 0.1);
          return out;
        });
        await page.screenshot({ path: `${SHOTS}/dwv-viewer-${who}.png` });
        result[who] = seen;
      }
    } finally {
      server.close();
    }
  },

  /** A page the user's roles do not include, and the same page for a role that has it. */
  async roles() {
    const { page } = await newPage();
    await signIn(page, input.user, input.password);
    result.nav = await page.$$eval('#nav li:not([hidden]) a', links => links.map(a => a.textContent));
    await go(page, '/admin');
    result.adminHeading = await page.textContent('h1');
  },
};

let exitCode = 0;
try {
  await scenarios[scenario]();
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error && error.stack || error);
  exitCode = 1;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(exitCode);
