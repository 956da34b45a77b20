// `traverse-guard explain --html`: the page is one self-contained file, and in headless
// Chromium (Debian's package; see test/helpers/chromium.ts) it loads with no console error and
// no network request, steps forward to the fault — where, and only where, the victim is
// highlighted in the picture and in the decoded words — links each step to its source line,
// and steps back. A screenshot of the fault step is kept under tmp/explain-html/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Browser, ensureChromium } from '../helpers/chromium.js';
import { REPO_ROOT } from '../helpers/packed.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'tg-explain-html-'));
const page = path.join(work, 'ref.html');
const ARTIFACTS = path.join(REPO_ROOT, 'tmp', 'explain-html');
const STATE = '{"refs":{"inner":"young-rc1"},"values":{"clearOnTraverse":true}}';

let report = '';
let status: number | null = null;

beforeAll(() => {
  const r = spawnSync(
    process.execPath,
    ['bin/traverse-guard.js', 'explain', 'fixtures/seed/ref.ts', '--class', 'Ref', '--state', STATE, '--runtime', 'c', '--svg', path.join(work, 'ref.svg'), '--html', page],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  report = r.stdout + r.stderr;
  status = r.status;
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const victimOf = () => /\(victim: ([^)]+)\)/.exec(report)?.[1];

describe('explain --html writes one self-contained page', () => {
  it('the run crashes and the page is announced', () => {
    expect(status, report).toBe(1);
    expect(report.split('\n')[0]).toBe('verdict: crash — SIGSEGV writing 0x4 in PyObject_GC_UnTrack');
    expect(report).toMatch(/^step-by-step page: .*ref\.html \(\d+ steps\)$/m);
    expect(victimOf()).toBeDefined();
  });

  it('needs nothing from the network: no external script, style, image or link', () => {
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<(script|img|link|iframe)\b[^>]*\b(src|href)\s*=/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    const data = JSON.parse(/<script type="application\/json" id="explain-data">([\s\S]*?)<\/script>/.exec(html)![1]) as { pictures: string[]; steps: unknown[] };
    expect(data.pictures.length).toBeGreaterThan(1);
    for (const svg of data.pictures) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).not.toMatch(/\b(xlink:)?href\s*=|<image\b/);
    }
  });

  it('a bad --html path is one line and exit 2', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/traverse-guard.js', 'explain', 'fixtures/seed/ref.ts', '--class', 'Ref', '--state', STATE, '--runtime', 'c', '--svg', path.join(work, 'x.svg'), '--html', '/nonexistent-dir/x.html'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^traverse-guard: cannot write '\/nonexistent-dir\/x\.html': .*ENOENT.*\n$/);
  });
});

const chromium = ensureChromium();
if ('skip' in chromium) console.warn(`explain-html.test.ts: the browser tests are skipped — ${chromium.skip}`);

describe.skipIf('skip' in chromium)('the page in headless Chromium', () => {
  let browser: Browser;
  const problems: string[] = [];
  const requests: string[] = [];

  interface View {
    counter: string;
    kind: string;
    victimInPicture: boolean;
    victimRows: string[];
    sourceLink: string;
    sourceLine: string;
    nextDisabled: boolean;
  }
  const view = () =>
    browser.evaluate<View>(`(() => ({
      counter: document.getElementById('counter').textContent,
      kind: document.querySelector('#steps li.current').className,
      victimInPicture: document.querySelector('#picture svg #victim') !== null,
      victimRows: [...document.querySelectorAll('#words tr.victim')].map((tr) => tr.dataset.label),
      sourceLink: document.getElementById('source-link').textContent,
      sourceLine: (document.querySelector('#source-file tr.current') || { textContent: '' }).textContent,
      nextDisabled: document.getElementById('next').disabled,
    }))()`);

  beforeAll(async () => {
    browser = await Browser.launch((chromium as { bin: string }).bin);
    browser.on((method, params) => {
      if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) problems.push(`console.${String(params.type)}: ${JSON.stringify(params.args)}`);
      if (method === 'Runtime.exceptionThrown') problems.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
      if (method === 'Log.entryAdded') {
        const entry = params.entry as { level: string; text: string };
        if (entry.level === 'error') problems.push(`log: ${entry.text}`);
      }
      if (method === 'Network.requestWillBeSent') {
        const url = (params.request as { url: string }).url;
        if (!url.startsWith('file:') && !url.startsWith('data:') && url !== 'about:blank') requests.push(url);
      }
    });
    for (const domain of ['Runtime', 'Log', 'Page', 'Network']) await browser.send(`${domain}.enable`);
    await browser.send('Emulation.setDeviceMetricsOverride', { width: 1400, height: 1100, deviceScaleFactor: 1, mobile: false });
    const loaded = browser.once('Page.loadEventFired');
    await browser.send('Page.navigate', { url: pathToFileURL(page).href });
    await loaded;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console error, exception or network request, on the first step', async () => {
    const v = await view();
    expect(v.counter).toMatch(/^step 1 \/ \d+$/);
    expect(v.kind).toContain('kind-pass');
    expect(v.victimInPicture).toBe(false);
    expect(v.victimRows).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('steps with "next" to the fault, where the victim is highlighted and the source line linked', async () => {
    const total = Number((await view()).counter.split('/ ')[1]);
    expect(total).toBeGreaterThan(3);
    for (let i = 2; i <= total; i++) {
      await browser.evaluate("document.getElementById('next').click()");
      const v = await view();
      expect(v.counter).toBe(`step ${i} / ${total}`);
      if (i < total) expect(v.victimInPicture, `step ${i}`).toBe(false);
    }
    const v = await view();
    expect(v.nextDisabled).toBe(true);
    expect(v.kind).toContain('kind-fault');
    expect(v.victimInPicture).toBe(true);
    expect(v.victimRows).toEqual([victimOf()]);
    expect(v.sourceLink).toBe('fixtures/seed/ref.ts:12');
    expect(v.sourceLine).toContain('(self.inner as unknown as RefCell).take();');
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = (await browser.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as { data: string };
    const file = path.join(ARTIFACTS, 'fault-step.png');
    writeFileSync(file, Buffer.from(shot.data, 'base64'));
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });

  it('steps back with "previous" and the arrow keys', async () => {
    const total = Number((await view()).counter.split('/ ')[1]);
    await browser.evaluate("document.getElementById('prev').click()");
    let v = await view();
    expect(v.counter).toBe(`step ${total - 1} / ${total}`);
    expect(v.victimInPicture).toBe(false);
    await browser.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))");
    v = await view();
    expect(v.counter).toBe(`step ${total} / ${total}`);
    expect(v.victimInPicture).toBe(true);
    expect(problems).toEqual([]);
  });
});
