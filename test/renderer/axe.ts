// axe-core, the engine most accessibility checkers are built on, run inside the
// window. The window's CSP admits no inline or foreign script, so axe's source
// goes in through page.evaluate (the DevTools protocol, which CSP does not
// govern), once per page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0 and 2.1, levels A and AA, and axe's best-practice rules. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

export interface AxeFinding {
  readonly rule: string;
  readonly impact: string | null;
  readonly help: string;
  /** CSS selectors of the elements concerned, with axe's summary of what is wrong for the first few. */
  readonly nodes: readonly string[];
}

export interface AxeReport {
  readonly violations: readonly AxeFinding[];
  /** Rules axe could not decide on (a colour over a gradient, say): listed, not failed. */
  readonly incomplete: readonly AxeFinding[];
  /** Rules that found something to check: a run that applied none checked nothing. */
  readonly rulesApplied: number;
}

interface RawResult {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is now. */
export async function runAxe(page: Page): Promise<AxeReport> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (loaded !== true) await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(
    async (tags) => {
      const page = globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> }; document: unknown };
      return page.axe.run(page.document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] });
    },
    AXE_TAGS as unknown as string[],
  )) as { violations: RawResult[]; incomplete: RawResult[]; passes: RawResult[] };
  const findings = (results: RawResult[]): AxeFinding[] =>
    results.map((r) => ({
      rule: r.id,
      impact: r.impact ?? null,
      help: r.help,
      nodes: r.nodes.map((n) => `${n.target.map(String).join(' ')}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`),
    }));
  return {
    violations: findings(result.violations),
    incomplete: findings(result.incomplete),
    rulesApplied: result.passes.length + result.violations.length + result.incomplete.length,
  };
}

/** One line per rule, then its elements: for assertion messages and the report. */
export function describeFindings(findings: readonly AxeFinding[]): string {
  return findings.map((f) => `${f.rule} (${f.impact ?? 'n/a'}): ${f.help}\n${f.nodes.map((n) => `    ${n}`).join('\n')}`).join('\n');
}
