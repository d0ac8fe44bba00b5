// The status pill and the start/stop toggle in the top bar.

import type { ServerStatus } from '../../src-main/shared/ipc.js';
import { h, replaceChildren } from '../dom.js';

const LABELS: Record<ServerStatus['state'], string> = {
  running: 'Running',
  starting: 'Starting…',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  error: 'Not running',
};

export function renderStatus(container: HTMLElement, status: ServerStatus, canStart: boolean, toggle: (start: boolean) => void): void {
  const running = status.state === 'running';
  const busy = status.state === 'starting' || status.state === 'stopping';
  const pill = h('span', { class: `pill pill-${status.state}`, 'data-state': status.state }, LABELS[status.state]);
  const button = h(
    'button',
    {
      type: 'button',
      id: 'toggle-server',
      class: running ? '' : 'primary',
      disabled: busy || (!running && !canStart),
      onclick: () => toggle(!running),
    },
    running ? 'Stop server' : 'Start server',
  );
  replaceChildren(container, pill, button);
}
