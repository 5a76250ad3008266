import { randomBytes } from 'node:crypto';

/** An SPS-looking object id (22 hex characters, as in the doc samples). */
export const objectId = (): string => randomBytes(11).toString('hex');
