// The only paths served (docs/protocol/transport-auth-media.md §1.1): POST /sync/{method},
// POST /msync/{method}, GET /msync/begin (legacy media begin), GET|HEAD /health.
// Any other path is a 404 with no body; a known path with the wrong HTTP method
// is a 405; a method name that is not in the table is a 400.
import { BadRequestError, MethodNotAllowedError, NotFoundError, ProtocolDriftError } from '../errors.js';

export type Route =
  | { readonly kind: 'health' }
  | { readonly kind: 'sync'; readonly method: string }
  | { readonly kind: 'msync'; readonly method: string }
  /** Desktop 2.1.22–2.1.56 media begin: GET /msync/begin?k=…&v=… */
  | { readonly kind: 'msync-begin-get'; readonly query: URLSearchParams };

export interface KnownMethods {
  readonly sync: ReadonlySet<string>;
  readonly msync: ReadonlySet<string>;
}

const METHOD_PATH = /^\/(sync|msync)\/([^/]+)$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequestError(`invalid path segment: ${segment}`);
  }
}

export function routeRequest(httpMethod: string | undefined, url: string | undefined, known: KnownMethods): Route {
  const target = url ?? '';
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));

  if (path === '/health') {
    if (httpMethod === 'GET' || httpMethod === 'HEAD') return { kind: 'health' };
    throw new MethodNotAllowedError(`${httpMethod} ${path}`);
  }
  const match = METHOD_PATH.exec(path);
  if (match === null) throw new NotFoundError(path);
  const [, area, segment] = match as unknown as [string, 'sync' | 'msync', string];
  const method = decodeSegment(segment);

  if (area === 'msync' && method === 'begin' && httpMethod === 'GET') return { kind: 'msync-begin-get', query };
  if (httpMethod !== 'POST') throw new MethodNotAllowedError(`${httpMethod} ${path}`);
  if (!known[area].has(method)) {
    throw new ProtocolDriftError(`unknown ${area} method: ${method}`, { kind: 'method', path: `${area}/${method}` }, '');
  }
  return { kind: area, method };
}
