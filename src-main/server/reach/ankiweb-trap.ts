// Anki (25.02.3 and later) applies AnkiWeb's collection-size limit to any sync
// address whose text contains "ankiweb": rslib/src/sync/collection/normal.rs and
// upload.rs test `endpoint.as_str().contains("ankiweb")` before a normal sync
// and a full upload. A home server reached as `ankiweb.lan` or `my-ankiweb-box`
// is then refused large collections by the client itself, with an error that
// names AnkiWeb. The window and the headless start-up warn of such a name.

/** The address as the client's URL type writes it (host lower-cased), or the name lower-cased. */
function asClientWrites(address: string): string {
  try {
    return new URL(address).href;
  } catch {
    return address.toLowerCase();
  }
}

/** The addresses or names (of those shown to the learner) that Anki will treat as AnkiWeb. */
export function ankiwebLookalikes(addresses: readonly string[]): string[] {
  return [...new Set(addresses.filter((address) => asClientWrites(address).includes('ankiweb')))];
}

/** A sentence for the window and the log when an address shown contains "ankiweb"; null when none does. */
export function ankiwebTrapWarning(addresses: readonly string[]): string | null {
  const found = ankiwebLookalikes(addresses);
  if (found.length === 0) return null;
  return (
    `${found.join(', ')} contain${found.length === 1 ? 's' : ''} "ankiweb", so Anki treats ${found.length === 1 ? 'it' : 'them'} as AnkiWeb ` +
    'and refuses to sync a collection larger than AnkiWeb\'s limit there. Give this computer a name without "ankiweb" ' +
    '(or use its IP address) in Anki.'
  );
}
