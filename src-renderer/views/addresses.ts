// The address to paste into Anki, large and in sight in the header with Copy,
// its QR code for phones in the Connect section, then the other addresses of
// this computer, each saying where it works ("at home (Wi-Fi)", "anywhere your
// devices run Tailscale"), and why an address may not work (a certificate that
// does not name it). The server lists the address to give first: with HTTPS, one
// the certificate covers (server/reach/client-addresses.ts).

import type { AppState, ClientAddress } from '../../src-main/shared/ipc.js';
import { byId, h, replaceKeepingFocus, unseen } from '../dom.js';

export interface AddressActions {
  copy: (url: string) => void;
  /** The QR code's data: URL, or null when it could not be made. */
  qr(url: string): Promise<string | null>;
}

let shown = '';

export function renderAddresses(state: AppState, actions: AddressActions): void {
  const [main, ...others] = state.addresses;
  const running = state.server.state === 'running';
  // Redrawn only when something shown changes: a sync arriving must not rebuild the QR code or move the focus.
  const key = JSON.stringify([running, state.addresses]);
  if (key === shown) return;
  shown = key;

  byId('address-hint').textContent = running ? 'Paste this address into Anki:' : 'When the server runs, Anki will use this address:';
  byId('main-address').textContent = main?.url ?? '';
  byId('main-address-label').textContent = main ? `Works ${main.label}` : '';
  const note = byId('main-address-note');
  note.textContent = main?.note ?? '';
  note.hidden = !main?.note;
  const copy = byId<HTMLButtonElement>('copy-main');
  copy.hidden = !main;
  copy.dataset['url'] = main?.url ?? '';

  const qrFigure = byId('qr-figure');
  const qr = byId<HTMLImageElement>('qr');
  qrFigure.hidden = !main || main.place === 'this-computer';
  if (main && main.place !== 'this-computer') {
    qr.alt = `QR code of ${main.url}`;
    if (qr.dataset['url'] !== main.url) {
      qr.dataset['url'] = main.url;
      qr.removeAttribute('src');
      void actions.qr(main.url).then((src) => {
        if (src && qr.dataset['url'] === main.url) qr.src = src;
      });
    }
  }

  replaceKeepingFocus(
    byId('addresses'),
    others.length > 0 && h('h3', { class: 'first' }, 'Other addresses'),
    others.length > 0 &&
      h(
        'ul',
        { class: 'address-others' },
        ...others.map((a) =>
          h(
            'li',
            { 'data-place': a.place },
            h('code', {}, a.url),
            h('span', { class: 'address-label' }, a.label),
            copyButton(a, actions.copy),
            a.note !== null && h('p', { class: 'address-note' }, a.note),
          ),
        ),
      ),
  );
}

function copyButton(address: ClientAddress, copy: (url: string) => void): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: 'copy', 'data-url': address.url, 'data-focus': `copy:${address.url}`, onclick: () => copy(address.url) },
    'Copy',
    unseen(` ${address.url}`),
  );
}
