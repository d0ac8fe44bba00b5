// The GitHub workflows, checked offline: each is valid against GitHub's schema
// (@action-validator/cli), CI runs on the three systems with Node 24 and runs
// what .ci/run runs plus the Electron smoke test, and a release builds every
// installer, smoke-tests it and publishes it with checksums. What only GitHub's
// machines can prove is listed in CONTRIBUTING.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';

const require = createRequire(join(REPO_ROOT, 'package.json'));
const yaml = require('js-yaml') as { load(text: string): unknown };
const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly 'runs-on': string;
  readonly strategy?: { matrix: Record<string, unknown> };
  readonly steps: Step[];
  readonly env?: Record<string, string>;
  readonly needs?: string;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

function load(name: string): Workflow {
  return yaml.load(readFileSync(join(WORKFLOWS, name), 'utf8')) as Workflow;
}

const runs = (job: Job): string => job.steps.map((s) => s.run ?? '').join('\n');

test('every workflow is valid against the GitHub Actions schema', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
  assert.deepEqual(files.sort(), ['ci.yml', 'release.yml']);
  const validator = require.resolve('@action-validator/cli/cli.mjs');
  for (const file of files) {
    const result = spawnSync(process.execPath, [validator, join(WORKFLOWS, file)], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${file}:\n${result.stdout}${result.stderr}`);
  }
});

test('the validator does catch a broken workflow', () => {
  // A step with an unknown key: if this passed, the check above would prove nothing.
  const validator = require.resolve('@action-validator/cli/cli.mjs');
  const broken = join(REPO_ROOT, 'test', 'fixtures', 'broken-workflow.yml');
  const result = spawnSync(process.execPath, [validator, broken], { encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stdout + result.stderr, /Additional property 'foo' is not allowed/);
});

test('CI: every push and pull request, three systems, Node 24, what .ci/run runs, and the Electron smoke test required', () => {
  const ci = load('ci.yml');
  assert.ok('push' in ci.on && 'pull_request' in ci.on);
  const job = ci.jobs['test']!;
  assert.deepEqual(job.strategy?.matrix['os'], ['ubuntu-latest', 'windows-latest', 'macos-latest']);
  const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
  assert.equal(node?.with?.['node-version'], 24);
  const commands = runs(job);
  for (const command of ['npm ci', 'npm run lint', 'npm run format:check', 'npm run typecheck', 'npm test']) {
    assert.ok(commands.includes(command), `runs ${command}`);
  }
  // The README's test command is what CI runs.
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /npm test/);
  assert.equal(job.env?.['ELECTRON_SMOKE'], 'required', 'the smoke test may not skip there');
  assert.match(commands, /xvfb-run --auto-servernum npm test/, 'Linux has a display for Electron');
  assert.match(commands, /ifconfig lo0 alias 127\.0\.0\.\$i/, 'macOS gets the loopback addresses the attack tests use');
});

test('release: a version tag builds NSIS, DMG, AppImage and deb, smoke-tests them, and publishes them with checksums', () => {
  const release = load('release.yml');
  assert.deepEqual(release.on['push'], { tags: ['v*.*.*'] });
  const build = release.jobs['installers']!;
  const matrix = build.strategy?.matrix['include'] as { os: string; targets: string }[];
  const targets = Object.fromEntries(matrix.map((entry) => [entry.os, entry.targets]));
  assert.match(targets['windows-latest']!, /--win nsis/);
  assert.match(targets['macos-latest']!, /--mac dmg zip/);
  assert.match(targets['ubuntu-latest']!, /--linux AppImage deb/);
  assert.match(runs(build), /node scripts\/smoke-packaged\.js/);
  assert.match(runs(build), /xvfb-run --auto-servernum node scripts\/smoke-packaged\.js/);
  const publish = release.jobs['publish']!;
  assert.equal(publish.needs, 'installers');
  assert.match(runs(publish), /sha256sum .*> SHA256SUMS\.txt/);
  assert.match(runs(publish), /gh release create/);
});
