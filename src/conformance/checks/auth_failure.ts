import { resultFor, type CheckResult, type ExchangeCheck } from '../types.js';
import { errorTypeOf, show } from './util.js';

/** Whether a Set-Cookie header hands out a usable cookie `name` (not an empty or expiring one). */
export function setsCookie(setCookies: string[], name: string): boolean {
  return setCookies.some((line) => {
    const [pair, ...attrs] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq < 0 || pair.slice(0, eq).trim() !== name) return false;
    const value = pair.slice(eq + 1).trim();
    if (value === '' || value === '""') return false;
    const expiring = attrs.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a) || /^\s*expires\s*=\s*thu, 01 jan 1970/i.test(a));
    return !expiring;
  });
}

/** `auth_failure`: a wrong password at the login answers 401 `AuthenticationFailure` and sets no session cookie. */
export const authFailure: ExchangeCheck = (ctx, ex): CheckResult[] => {
  if (ex.probe !== 'wrong_password' || !ex.response) return [];
  const check = 'auth_failure';
  const { status, setCookies } = ex.response;
  const problems: string[] = [];
  if (status !== 401) problems.push(`received ${status}, expected 401 AuthenticationFailure`);
  else {
    const type = errorTypeOf(ex.response.json);
    if (type !== 'AuthenticationFailure') problems.push(`received 401 with error.type ${show(type ?? null)}, expected AuthenticationFailure`);
  }
  if (setsCookie(setCookies, ctx.sessionCookieName)) problems.push(`a ${ctx.sessionCookieName} cookie was set for a wrong password`);
  if (problems.length > 0) return [resultFor(ex, check, 'failed', `wrong password: ${problems.join('; ')}`)];
  return [resultFor(ex, check, 'passed', `wrong password: 401 AuthenticationFailure, no ${ctx.sessionCookieName} cookie`)];
};
