// The status pill and the start/stop toggle in the top bar. Both elements stay
// in the page and only their words change: the pill is a live region (a screen
// reader hears "Running" without looking for it), and the toggle keeps the
// keyboard focus while the server starts or stops.

import type { ServerStatus } from '../../src-main/shared/ipc.js';

const LABELS: Record<ServerStatus['state'], string> = {
  running: 'Running',
  starting: 'Starting…',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  error: 'Not running',
};

export function renderStatus(pill: HTMLElement, button: HTMLButtonElement, status: ServerStatus, canStart: boolean): void {
  const running = status.state === 'running';
  const busy = status.state === 'starting' || status.state === 'stopping';
  pill.dataset['state'] = status.state;
  // Set only on a change, so a live region announces changes and not every redraw.
  if (pill.textContent !== LABELS[status.state]) pill.textContent = LABELS[status.state];
  const label = running ? 'Stop server' : 'Start server';
  if (button.textContent !== label) button.textContent = label;
  button.classList.toggle('primary', !running);
  // Before the first account there is nothing to start. While starting or stopping the toggle
  // waits, but keeps the focus a keyboard user gave it.
  button.disabled = !running && !canStart;
  button.setAttribute('aria-disabled', String(busy));
  button.dataset['toggle'] = running ? 'stop' : 'start';
}
