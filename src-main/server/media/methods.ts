// The `/msync/{method}` table.
import type { MethodTable } from '../protocol.js';

export const mediaMethods: MethodTable = {};
