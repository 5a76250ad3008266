/** The built-in probe kinds; a check lists the ones it needs in its `probes`. */
import type { ProbeDefinition } from '../types.js';

/** The operation as a client calls it: every documented status against the mock, the reads live. */
export const NORMAL: ProbeDefinition = { kind: 'normal', order: 0, label: 'request' };

export const NO_SESSION: ProbeDefinition = {
  kind: 'no_session',
  order: 1,
  label: 'without a session cookie',
  appliesTo: (op) => op.security === 'sessionCookie',
  path: 'known',
  auth: 'none',
};

export const MADE_UP_SESSION: ProbeDefinition = {
  kind: 'made_up_session',
  order: 2,
  label: 'with a made-up session cookie',
  appliesTo: (op) => op.security === 'sessionCookie',
  path: 'known',
  auth: 'made_up_session',
  mockSkip: 'skipped for the mock: Prism only checks that a session cookie is present, not its value',
};

export const WRONG_PASSWORD: ProbeDefinition = {
  kind: 'wrong_password',
  order: 3,
  label: 'wrong password (a made-up user name)',
  appliesTo: (op) => op.security === 'basicAuth',
  path: 'known',
  auth: 'wrong_password',
  mockSkip: 'skipped for the mock: Prism does not check credentials, so a wrong password cannot fail',
};

export const NOT_FOUND: ProbeDefinition = {
  kind: 'not_found',
  order: 4,
  label: 'made-up id',
  appliesTo: (op) => op.pathParams.length > 0,
  path: 'made-up',
  auth: 'session',
  mockSkip: 'skipped for the mock: Prism keeps no state and answers any id that fits the parameter schema',
};

/** A step of the write cycle (driven by `write_roundtrip`'s `live`). */
export const WRITE: ProbeDefinition = { kind: 'write', order: 5, label: 'write cycle' };
