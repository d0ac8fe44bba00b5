// Syncs in progress, one line and bar per device: "is my phone syncing right now?".

import type { SyncView } from '../../src-main/shared/ipc.js';
import { h, replaceChildren } from '../dom.js';
import { describeSync } from '../format.js';

export function renderSyncs(section: HTMLElement, list: HTMLElement, syncs: readonly SyncView[]): void {
  section.hidden = syncs.length === 0;
  replaceChildren(
    list,
    ...[...syncs]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((sync) => {
        const { text, fraction } = describeSync(sync);
        return h(
          'li',
          { 'data-user': sync.username, 'data-kind': sync.kind },
          h('span', {}, text),
          // Without a known end, an indeterminate bar: something is moving.
          fraction === null
            ? h('progress', { 'aria-label': text })
            : h('progress', { max: 1000, value: Math.round(fraction * 1000), 'aria-label': text }),
        );
      }),
  );
}
