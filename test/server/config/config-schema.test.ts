// README's table of variables is the schema's, row for row, and the schema's
// readers enforce the ranges it states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIG_SCHEMA,
  ConfigError,
  configTableMarkdown,
  readInteger,
  readLimits,
  DEFAULT_LIMITS,
} from '../../../src-main/server/config/config-schema.js';
import { REPO_ROOT } from '../../support/fixture-paths.js';

test("README's table of environment variables is the schema's", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const table = configTableMarkdown();
  assert.ok(readme.includes(table), `README.md should hold this table, exactly:\n\n${table}\n`);
});

test('each whole-number setting takes its range and refuses the rest, naming its variable', () => {
  for (const [name, spec] of Object.entries(CONFIG_SCHEMA)) {
    if (spec.kind.type !== 'integer') continue;
    const key = name as Parameters<typeof readInteger>[1];
    const { min, max } = spec.kind;
    assert.equal(readInteger({ [spec.env]: String(min) }, key), min);
    assert.equal(readInteger({ [spec.env]: String(max) }, key), max);
    for (const bad of [String(max + 1), String(min - 1), '1.5', 'lots', '']) {
      assert.throws(
        () => readInteger({ [spec.env]: bad }, key),
        (error: unknown) => error instanceof ConfigError && error.message.startsWith(spec.env),
        `${spec.env}=${bad}`,
      );
    }
  }
  assert.deepEqual(readLimits({}), DEFAULT_LIMITS);
});
