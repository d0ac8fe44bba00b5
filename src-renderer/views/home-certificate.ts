// "Make my own certificate", and then what each device needs to trust it: the
// root certificate as text and as a QR code for AnkiDroid, the file for desktop
// systems, and the iOS profile for AnkiMobile (opened in Safari from the running
// server, by its address or a QR code), each with its steps.

import type { HomeCertificateView } from '../../src-main/shared/ipc.js';
import { h, replaceKeepingFocus } from '../dom.js';

export interface HomeCertificateActions {
  copy(text: string): void;
  qr(text: string): Promise<string | null>;
  openRoot(): void;
  showProfile(): void;
}

let shown = '';

export function renderHomeCertificate(
  section: HTMLElement,
  body: HTMLElement,
  view: HomeCertificateView | null,
  actions: HomeCertificateActions,
): void {
  section.hidden = view === null;
  const key = JSON.stringify(view);
  if (key === shown) return;
  shown = key;
  if (view === null) {
    replaceKeepingFocus(body);
    return;
  }
  const qr = h('img', {
    class: 'qr qr-large',
    id: 'root-qr',
    alt: 'QR code of the root certificate, for AnkiDroid',
    width: '240',
    height: '240',
  });
  void actions.qr(view.rootPem).then((src) => {
    if (src) qr.src = src;
  });
  const url = view.profileUrl;
  const profileQr =
    url === null
      ? null
      : h('img', { class: 'qr', id: 'profile-qr', alt: 'QR code of the iPhone profile address', width: '160', height: '160' });
  if (url !== null && profileQr !== null)
    void actions.qr(url).then((src) => {
      if (src) profileQr.src = src;
    });
  replaceKeepingFocus(
    body,
    h(
      'p',
      { class: 'hint' },
      `The server's certificate covers ${view.names.join(', ')} and renews itself before it ends or when an address changes. ` +
        'Each device trusts the root certificate below once; it lasts 20 years.',
    ),
    h(
      'div',
      { class: 'home-ca-device' },
      h('h4', {}, 'AnkiDroid'),
      h('figure', { class: 'qr-figure' }, qr, h('figcaption', {}, 'Root certificate')),
      h(
        'ol',
        {},
        h('li', {}, 'On the phone, open Settings → Sync → Custom sync certificate.'),
        h(
          'li',
          {},
          'Paste the root certificate there: copy it here and send it to the phone, or scan this code with a QR reader and copy its text.',
        ),
      ),
      h('button', { type: 'button', id: 'copy-root', onclick: () => actions.copy(view.rootPem) }, 'Copy the root certificate'),
    ),
    h(
      'div',
      { class: 'home-ca-device' },
      h('h4', {}, 'Anki on a computer'),
      h(
        'ul',
        {},
        h(
          'li',
          {},
          'Windows: open the root certificate, choose Install Certificate → Current User → Trusted Root Certification Authorities.',
        ),
        h('li', {}, 'macOS: open it; Keychain Access adds it. Open it there and, under Trust, choose "Always Trust" for SSL.'),
        h('li', {}, 'Linux: copy it to /usr/local/share/ca-certificates/anki-home-sync.crt, then run sudo update-ca-certificates.'),
      ),
      h('button', { type: 'button', id: 'open-root', onclick: () => actions.openRoot() }, 'Open the root certificate'),
    ),
    h(
      'div',
      { class: 'home-ca-device' },
      h('h4', {}, 'AnkiMobile (iPhone, iPad)'),
      url === null || profileQr === null
        ? null
        : h('figure', { class: 'qr-figure qr-side' }, profileQr, h('figcaption', {}, 'iPhone profile')),
      h(
        'ol',
        {},
        url === null
          ? h('li', {}, 'Send the profile to the iPhone (AirDrop, Mail or Files) and open it there.')
          : h(
              'li',
              {},
              'On the iPhone, open ',
              h('code', { id: 'profile-url' }, url),
              ' in Safari, or scan this code with the Camera. Safari first says the connection is not private, because the iPhone ' +
                'does not trust the certificate yet: tap Show Details, then "visit this website". Allow the download.',
            ),
        h('li', {}, 'Settings → General → VPN & Device Management: install "Anki Home Sync root".'),
        h('li', {}, 'Settings → General → About → Certificate Trust Settings: turn it on.'),
      ),
      h(
        'div',
        { class: 'home-ca-buttons' },
        url === null
          ? null
          : h('button', { type: 'button', id: 'copy-profile-url', onclick: () => actions.copy(url) }, 'Copy the profile address'),
        h('button', { type: 'button', id: 'show-profile', onclick: () => actions.showProfile() }, 'Show the iPhone profile'),
      ),
    ),
  );
}
