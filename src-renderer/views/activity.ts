// Recent syncs and errors: enough to answer "did my phone sync?".

import type { ActivityEntry } from '../../src-main/shared/ipc.js';
import { h, replaceChildren } from '../dom.js';
import { clockTime } from '../format.js';

const SHOWN = 50;

export function renderActivity(list: HTMLElement, entries: readonly ActivityEntry[]): void {
  if (entries.length === 0) {
    replaceChildren(list, h('li', { class: 'empty' }, 'Nothing yet. Syncs and errors will show up here.'));
    return;
  }
  replaceChildren(
    list,
    ...entries
      .slice(0, SHOWN)
      .map((e) =>
        h(
          'li',
          { class: e.isError ? 'is-error' : '' },
          h('time', { datetime: new Date(e.at).toISOString() }, clockTime(e.at)),
          h('span', {}, e.message),
        ),
      ),
  );
}
