// Where the logged client address comes from (SYNC_IP_HEADER), with the
// official server's names. As there, a configured header that is missing or not
// an address makes every sync request a 500 (`missing ip`); /health is exempt.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ServerFaultError } from '../errors.js';

import { CLIENT_IP_SOURCES } from '../config/config-schema.js';

export { CLIENT_IP_SOURCES };

export type ClientIpSource = (typeof CLIENT_IP_SOURCES)[number];

export function isClientIpSource(name: string): name is ClientIpSource {
  return (CLIENT_IP_SOURCES as readonly string[]).includes(name);
}

const SINGLE_HEADER: Partial<Record<ClientIpSource, string>> = {
  XRealIp: 'x-real-ip',
  CfConnectingIp: 'cf-connecting-ip',
  TrueClientIp: 'true-client-ip',
  FlyClientIp: 'fly-client-ip',
};

function address(candidate: string | undefined): string | null {
  const trimmed = candidate?.trim();
  return trimmed !== undefined && isIP(trimmed) !== 0 ? trimmed : null;
}

function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function resolve(req: IncomingMessage, source: ClientIpSource): string | null {
  switch (source) {
    case 'ConnectInfo':
      return req.socket.remoteAddress ?? null;
    case 'RightmostXForwardedFor':
      return address(headerText(req, 'x-forwarded-for')?.split(',').at(-1));
    case 'CloudFrontViewerAddress': {
      // "ip:port"; IPv6 addresses contain colons themselves, so cut at the last one.
      const value = headerText(req, 'cloudfront-viewer-address');
      const colon = value?.lastIndexOf(':') ?? -1;
      return colon > 0 ? address(value!.slice(0, colon)) : null;
    }
    default: {
      const value = req.headers[SINGLE_HEADER[source]!];
      return address(Array.isArray(value) ? value[0] : value);
    }
  }
}

export function clientIp(req: IncomingMessage, source: ClientIpSource): string {
  const ip = resolve(req, source);
  if (ip === null) throw new ServerFaultError('missing ip');
  return ip;
}
