export { createSpsClient, findSetCookie } from './client.js';
export type {
  ApplianceInfo,
  LoginMethodsBody,
  SpsClient,
  SpsClientOptions,
  SpsFetchClient,
  SpsPaths,
  TransactionHelpers,
  TransactionScope,
} from './types.js';
export type { LoginType } from './credentials.js';
export { SpsApiError, EXCERPT_LENGTH, type SpsApiErrorInit } from './errors.js';
export {
  normalizeTransactionStatus,
  readChanges,
  type CommitMessagePolicy,
  type TransactionChange,
  type TransactionState,
  type TransactionStatus,
} from './transactions.js';
export { USER_AGENT, VERSION } from './version.js';
