// One async lock per user. The event loop interleaves requests at every
// `await`; a user's requests must not (a meta from one device during another's
// applyChunk, two media uploads), while different users never wait for each
// other. The official server holds one lock for everyone instead.
export class UserLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(username: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(username) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(username, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // The last holder leaves no entry behind.
      if (this.tails.get(username) === tail) this.tails.delete(username);
    }
  }
}
