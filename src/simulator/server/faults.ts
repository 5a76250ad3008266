import type { SimFault } from '../types.js';

interface Entry {
  fault: SimFault;
  remaining: number; // Infinity when `times` is not set
  pass: number; // matching requests still let through before the fault applies (`after`)
}

/**
 * Faults by exact path, plus a '*' entry for every path. An exact path wins over '*'. With
 * `after: N` the first N matching requests pass untouched (a node that stalls after N requests).
 */
export class FaultTable {
  private readonly entries = new Map<string, Entry>();

  set(path: string, fault: SimFault): void {
    if (fault.kind === 'latency' && !(Number.isFinite(fault.ms) && fault.ms >= 0)) {
      throw new TypeError('latency fault needs ms >= 0');
    }
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
      throw new TypeError('fault times must be a positive integer');
    }
    if (fault.after !== undefined && !(Number.isInteger(fault.after) && fault.after >= 0)) {
      throw new TypeError('fault after must be an integer >= 0');
    }
    this.entries.set(path, { fault: { ...fault }, remaining: fault.times ?? Infinity, pass: fault.after ?? 0 });
  }

  clear(): void {
    this.entries.clear();
  }

  /** The fault that applies to this request (and uses one of its `times`), if any. */
  take(path: string, method: string): SimFault | undefined {
    for (const key of [path, '*']) {
      const e = this.entries.get(key);
      if (!e) continue;
      if (e.fault.method && e.fault.method.toUpperCase() !== method) continue;
      if (e.pass > 0) {
        // Still within `after`: this request goes through (an exact-path entry still counts it).
        e.pass -= 1;
        return undefined;
      }
      e.remaining -= 1;
      if (e.remaining <= 0) this.entries.delete(key);
      return e.fault;
    }
    return undefined;
  }
}

export const HTML_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;

/** The page of the `html200` fault: a web server that is not SPS (a default page, a portal). */
export const HTML_PAGE = `<!DOCTYPE html>
<html>
<head><title>Welcome</title></head>
<body><h1>It works!</h1></body>
</html>
`;
