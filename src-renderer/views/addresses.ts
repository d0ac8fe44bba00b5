// The address to paste into Anki, large, with Copy and a QR code for phones,
// then the other addresses of this computer, each saying where it works
// ("at home (Wi-Fi)", "anywhere your devices run Tailscale"), and why an
// address may not work (a certificate that does not name it).

import type { AppState, ClientAddress } from '../../src-main/shared/ipc.js';
import { h, replaceChildren } from '../dom.js';

export interface AddressActions {
  copy: (url: string) => void;
  /** The QR code's data: URL, or null when it could not be made. */
  qr(url: string): Promise<string | null>;
}

function copyButton(address: ClientAddress, copy: (url: string) => void): HTMLButtonElement {
  return h('button', { type: 'button', class: 'copy', 'data-url': address.url, onclick: () => copy(address.url) }, 'Copy');
}

export function renderAddresses(container: HTMLElement, state: AppState, actions: AddressActions): void {
  const [main, ...others] = state.addresses;
  if (!main) {
    replaceChildren(container);
    return;
  }
  const qr = h('img', { class: 'qr', alt: `QR code for ${main.url}`, width: 160, height: 160 });
  void actions.qr(main.url).then((src) => {
    if (src) qr.src = src;
  });
  const running = state.server.state === 'running';
  replaceChildren(
    container,
    h(
      'div',
      { class: 'address-main' },
      h('div', { class: 'hint' }, running ? 'Paste this address into Anki:' : 'When the server runs, Anki will use this address:'),
      h('div', { class: 'address-url', id: 'main-address' }, main.url),
      h('div', { class: 'address-label', id: 'main-address-label' }, `Works ${main.label}`),
      main.note !== null && h('p', { class: 'warning address-note' }, main.note),
      copyButton(main, actions.copy),
      others.length > 0 &&
        h(
          'ul',
          { class: 'address-others' },
          ...others.map((a) =>
            h(
              'li',
              { 'data-place': a.place },
              h('code', {}, a.url),
              h('span', { class: 'address-label' }, ` ${a.label}`),
              copyButton(a, actions.copy),
              a.note !== null && h('div', { class: 'address-note' }, a.note),
            ),
          ),
        ),
    ),
    main.place !== 'this-computer' ? qr : null,
  );
}
