import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError, ConflictError, toSyncError } from '../src-main/server/errors.js';

test('each typed error maps to its one status', () => {
  assert.equal(new BadRequestError('x').status, 400);
  assert.equal(new ConflictError('x').status, 409);
  assert.equal(toSyncError(new Error('disk')).status, 500);
});
