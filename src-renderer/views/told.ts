// Which devices were told something inside Anki (meta's msg): the owner sees
// that the phone heard "choose Download", or that the disk is nearly full.

import type { ToldView } from '../../src-main/shared/ipc.js';
import { h, replaceChildren } from '../dom.js';
import { clockTime } from '../format.js';

export function renderTold(section: HTMLElement, list: HTMLElement, told: readonly ToldView[]): void {
  section.hidden = told.length === 0;
  replaceChildren(
    list,
    ...told.map((t) =>
      h(
        'li',
        {},
        h('time', { datetime: new Date(t.at).toISOString() }, clockTime(t.at)),
        h('span', {}, `${t.username}'s ${t.client || 'device'} at ${t.clientIp} was told: “${t.message}”`),
      ),
    ),
  );
}
