// The shape of an address a learner pastes into Anki: the server computes them
// (server/reach/client-addresses.ts) for the headless command and the app, and the
// window shows them. Types only.

/** Where an address works, which is what its label tells the learner. */
export type AddressPlace = 'home' | 'tailscale' | 'vpn' | 'this-computer';

export interface ClientAddress {
  /** `http://IP:PORT/`, or `https://NAME:PORT/` with a certificate: what a learner pastes into Anki. */
  readonly url: string;
  /** This computer's address on that network. */
  readonly ip: string;
  readonly place: AddressPlace;
  /** "at home (Wi-Fi)", "anywhere your devices run Tailscale", "this computer only"… */
  readonly label: string;
  /** Why the address may not work as shown (the certificate does not name it), in words; null when it should. */
  readonly note: string | null;
}
