// The protocol-drift alarm, in words: a client asked for a sync version above
// ours, or a method we do not know. The official server answers both with a 400
// and says nothing more; the device then shows a vague error and the learner
// cannot know that this server is what needs updating (the Anki manual warns
// that newer clients may need a newer server).
import { SYNC_VERSION_MAX } from '../envelope/v11.js';
import type { ProtocolDrift } from '../errors.js';
import { describeClient } from './client-version.js';

export function driftSentence(drift: ProtocolDrift, client: string, clientIp: string): string {
  const who = `${describeClient(client)?.label ?? 'A device'}${clientIp ? ` on ${clientIp}` : ''}`;
  if (drift.kind === 'version') {
    return `${who} uses a newer sync protocol (version ${drift.version}) than this version of Anki Home Sync (up to ${SYNC_VERSION_MAX}). Update Anki Home Sync.`;
  }
  return `${who} asked for ${drift.path}, which this version of Anki Home Sync does not know: the device uses a newer sync protocol. Update Anki Home Sync.`;
}
