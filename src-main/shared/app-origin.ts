// The window's own origin, app://home-sync, and the one check of whether a URL
// belongs to it. A prefix test would let `app://home-sync.evil/` or
// `app://home-sync@evil/` through; the parsed scheme and host cannot be fooled.
// (For a custom scheme, URL.origin is "null", so the parts are compared.)
export const APP_SCHEME = 'app';
export const APP_HOST = 'home-sync';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function isAppUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
