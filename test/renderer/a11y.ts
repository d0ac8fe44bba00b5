// What the window's tests check in every state they visit, in the light and the
// dark theme (the system's prefers-color-scheme, emulated): axe-core's WCAG 2.1
// A/AA and best-practice rules on every section, the 3:1 boundary of each
// control (WCAG 1.4.11, which axe does not check), and a photograph of what the
// learner sees. And the keyboard walk: Tab reaches every visible, enabled control,
// each with a focus ring of 3:1.
//
// The checks that look at colours run in the page as plain JavaScript (the test
// code is compiled without the DOM's types).

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describeFindings, runAxe } from './axe.js';
import { saveScreenshot } from './window-harness.js';

export const SCHEMES = ['light', 'dark'] as const;
export type Scheme = (typeof SCHEMES)[number];

const SECTIONS = ['connect', 'accounts', 'settings', 'activity'] as const;
const REPORTS = fileURLToPath(new URL('../../../test/artifacts/a11y/', import.meta.url));

// Colour arithmetic of WCAG 2.1 (relative luminance, contrast ratio), and the colour behind an element.
const COLOURS = String.raw`
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => {
    const [a, b] = [lum(x), lum(y)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const behind = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const name = (el) => el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.dataset.focus ? '[' + el.dataset.focus + ']' : '') + ' "' + (el.textContent || el.getAttribute('name') || '').trim().slice(0, 40) + '"';
`;

/** Controls whose boundary (border or fill) is under 3:1 against what surrounds them; the selected tab's underline too. */
const BOUNDARIES = `(() => {
  ${COLOURS}
  const failures = [];
  const controls = [...document.querySelectorAll('button, input:not([type=checkbox]):not([type=radio]), select, textarea')]
    .filter((el) => visible(el) && !el.disabled && !el.matches('.link, [role=tab]'));
  for (const el of controls) {
    const s = getComputedStyle(el);
    const back = behind(el);
    const edges = [];
    if (parseFloat(s.borderTopWidth) >= 1 && s.borderTopStyle !== 'none') edges.push(parse(s.borderTopColor));
    const fill = parse(s.backgroundColor);
    if (fill && fill.a > 0) edges.push(fill);
    const best = Math.max(0, ...edges.filter(Boolean).map((c) => ratio(c, back)));
    if (best < 3) failures.push(name(el) + ': boundary ' + best.toFixed(2) + ':1');
  }
  for (const tab of document.querySelectorAll('[role=tab][aria-selected=true]')) {
    if (!visible(tab)) continue;
    const r = ratio(parse(getComputedStyle(tab).borderBottomColor), behind(tab));
    if (r < 3) failures.push(name(tab) + ': selected mark ' + r.toFixed(2) + ':1');
  }
  return failures;
})()`;

/** The focused element: its name, and what is wrong with its focus ring (null when it shows at 3:1). */
const FOCUSED = `(() => {
  ${COLOURS}
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  let ring = null;
  if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) ring = 'no focus ring';
  else {
    const r = ratio(parse(s.outlineColor), behind(el));
    if (r < 3) ring = 'focus ring ' + r.toFixed(2) + ':1';
  }
  const seen = el.dataset.walked === '1';
  el.dataset.walked = '1';
  return { name: name(el), ring, seen };
})()`;

/** Marks every control Tab should reach now, and names them. */
const EXPECTED = `(() => {
  ${COLOURS}
  for (const el of document.querySelectorAll('[data-walked], [data-expected]')) { delete el.dataset.walked; delete el.dataset.expected; }
  const dialog = document.querySelector('dialog[open]');
  const root = dialog || document;
  // Every control, whatever its tabindex says, and whatever else is put in the Tab order.
  const all = [...root.querySelectorAll('button, input, select, textarea, summary, a[href], [tabindex]')]
    .filter((el) => visible(el) && !el.disabled && !el.closest('[inert]'))
    .filter((el) => el.matches('button, input, select, textarea, summary, a[href]') || el.tabIndex >= 0)
    // The arrow keys, not Tab, move to the other tabs of a tab list (tested on their own).
    .filter((el) => !el.matches('[role=tab][aria-selected=false]'))
    // Tab reaches a radio group once, at its chosen radio; the arrow keys move within it.
    .filter((el) => !(el.type === 'radio' && !el.checked && document.querySelector('input[type=radio][name="' + el.name + '"]:checked')));
  for (const el of all) el.dataset.expected = '1';
  return all.map(name);
})()`;

const MISSED = `(() => {
  ${COLOURS}
  return [...document.querySelectorAll('[data-expected]')].filter((el) => el.dataset.walked !== '1').map(name);
})()`;

async function boundaries(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(BOUNDARIES);
}

/**
 * Checks the window as it is now in both themes: axe on every section (one at a
 * time, as the tabs show them) and the control boundaries, then photographs the
 * view as it was, as window-<name>-<theme>.png. What axe left undecided is written
 * to test/artifacts/a11y/<name>.txt with the states checked.
 */
export async function checkState(page: Page, name: string): Promise<void> {
  const lines: string[] = [];
  const tabsShown = await page.locator('#tabs').isVisible();
  const dialogOpen = (await page.locator('dialog[open]').count()) > 0;
  const current = tabsShown ? ((await page.locator('[role=tab][aria-selected=true]').getAttribute('id')) ?? 'tab-connect') : null;
  // Where the section was scrolled to, for the photograph.
  const scrolled = await page.evaluate<number>('document.querySelector(".panels").scrollTop');
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    const views = tabsShown && !dialogOpen ? SECTIONS.map((s) => `tab-${s}`) : [current ?? 'page'];
    for (const view of views) {
      if (tabsShown && !dialogOpen) await page.click(`#${view}`);
      const report = await runAxe(page);
      assert.ok(report.rulesApplied >= 15, `axe applied ${report.rulesApplied} rules to ${name}, ${view}: too few to mean anything`);
      assert.equal(report.violations.length, 0, `axe, ${name}, ${view}, ${scheme}:\n${describeFindings(report.violations)}`);
      assert.deepEqual(await boundaries(page), [], `control boundaries, ${name}, ${view}, ${scheme}`);
      lines.push(
        `${name} ${view} ${scheme}: ${report.rulesApplied} rules applied, 0 violations${report.incomplete.length ? `; undecided: ${report.incomplete.map((f) => `${f.rule} (${f.nodes.length})`).join(', ')}` : ''}`,
      );
    }
    if (current !== null && tabsShown && !dialogOpen) await page.click(`#${current}`);
    await page.evaluate(`document.querySelector(".panels").scrollTop = ${scrolled}`);
    await saveScreenshot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(join(REPORTS, `${name}.txt`), `${lines.join('\n')}\n`);
}

export interface WalkResult {
  /** Every stop of the walk, in order. */
  readonly stops: readonly string[];
  /** Controls Tab should reach that it did not. */
  readonly missed: readonly string[];
  /** Stops whose focus ring is missing or under 3:1. */
  readonly badRings: readonly string[];
}

/** Presses Tab until the focus comes round again (within a modal dialog when one is open), and says what it reached. */
export async function tabWalk(page: Page): Promise<WalkResult> {
  const expected = await page.evaluate<string[]>(EXPECTED);
  assert.ok(expected.length > 0, 'something to reach');
  const stops: string[] = [];
  const badRings: string[] = [];
  for (let presses = 0; presses < expected.length * 2 + 10; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<{ name: string; ring: string | null; seen: boolean } | null>(FOCUSED);
    // Past the last control the focus leaves the page for a moment (the browser's own controls).
    if (focused === null) continue;
    // Round once: from wherever the focus was, back to the first stop of the walk.
    if (focused.seen) break;
    stops.push(focused.name);
    if (focused.ring !== null) badRings.push(`${focused.name}: ${focused.ring}`);
  }
  const missed = await page.evaluate<string[]>(MISSED);
  return { stops, missed, badRings };
}

/** The walk, asserted: everything reached, every ring visible. */
export async function assertTabWalk(page: Page, what: string): Promise<readonly string[]> {
  const walk = await tabWalk(page);
  assert.deepEqual(walk.missed, [], `${what}: Tab reaches every visible, enabled control (stops: ${walk.stops.join(' → ')})`);
  assert.deepEqual(walk.badRings, [], `${what}: every stop shows a focus ring of 3:1`);
  return walk.stops;
}
