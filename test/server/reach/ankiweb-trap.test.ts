// Anki applies AnkiWeb's size limit to any sync address containing "ankiweb"
// (rslib/src/sync/collection/normal.rs, upload.rs): such an address is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ankiwebLookalikes, ankiwebTrapWarning } from '../../../src-main/server/reach/ankiweb-trap.js';

test('an address or name containing "ankiweb", as the client writes it (host lower-cased), is named; others are not', () => {
  assert.deepEqual(
    ankiwebLookalikes([
      'http://192.168.1.20:8080/',
      'http://AnkiWeb-Box.local:8080/',
      'https://my-ankiweb.tail1234.ts.net:8080/',
      'http://host.lan:8080/AnkiWeb/',
      'ankiweb-nas',
      'http://desk.local:8080/',
    ]),
    ['http://AnkiWeb-Box.local:8080/', 'https://my-ankiweb.tail1234.ts.net:8080/', 'ankiweb-nas'],
    'a path keeps its case in the URL the client tests, so /AnkiWeb/ is not caught there',
  );
  assert.equal(ankiwebTrapWarning(['http://192.168.1.20:8080/']), null);
  assert.match(
    ankiwebTrapWarning(['http://ankiweb.lan:8080/'])!,
    /^http:\/\/ankiweb\.lan:8080\/ contains "ankiweb", so Anki treats it as AnkiWeb and refuses to sync a collection larger than AnkiWeb's limit/,
  );
});
