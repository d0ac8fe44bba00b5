// The addresses a learner can paste into Anki: every non-internal IPv4 address of
// this computer, then localhost. A server bound to this computer only offers
// localhost alone, since nothing else can reach it.

import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { BindAddress, ClientAddress } from '../shared/ipc.js';

export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

export function clientAddresses(port: number, bind: BindAddress, table: InterfaceTable = networkInterfaces()): ClientAddress[] {
  const lan: ClientAddress[] = [];
  if (bind === 'all-interfaces') {
    const seen = new Set<string>();
    for (const infos of Object.values(table)) {
      for (const info of infos ?? []) {
        if (info.family !== 'IPv4' || info.internal || info.address.startsWith('169.254.') || seen.has(info.address)) continue;
        seen.add(info.address);
        lan.push({ url: `http://${info.address}:${port}/`, ip: info.address, kind: 'lan' });
      }
    }
  }
  return [...lan, { url: `http://127.0.0.1:${port}/`, ip: '127.0.0.1', kind: 'localhost' }];
}

export function addressWarning(addresses: readonly ClientAddress[], bind: BindAddress): string | null {
  if (addresses.some((a) => a.kind === 'lan')) return null;
  if (bind === 'this-computer-only') {
    return 'The server only accepts this computer. To sync phones and other computers, choose "All networks".';
  }
  return "This computer isn't connected to a network, so phones can't reach it. Connect to Wi-Fi or Ethernet.";
}

/**
 * A PNG data: URL; made in the main process so the window needs no library and no
 * eval. The library loads on first use: a server started in the tray never needs it.
 */
export async function qrCodeDataUrl(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
}
