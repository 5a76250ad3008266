/**
 * What a run opens, with one owner. Every node session (each node's main one, the mock's, a
 * roles-file account's) and every Prism of a run is opened through {@link RunResources}; the
 * runner creates it and closes it in one `finally`, after the final rollback: the node sessions
 * first, then Prism (one still starting is waited for and stopped too). Nothing else keeps a
 * list of what was opened, and the requests of each report target are counted here, from the
 * sessions opened for it.
 */
import { NodeSession, type NodeSessionSettings, type NodeTarget } from './node-session.js';
import { startPrism, type PrismHandle } from './prism.js';
import type { TargetInfo } from './report/report.js';

/** The other credentials of a session opened for a roles-file account. */
export interface SessionAccount {
  username: string;
  password: string;
}

export class RunResources {
  readonly #settings: NodeSessionSettings;
  readonly #sessions: Array<{ session: NodeSession; target: TargetInfo | undefined }> = [];
  readonly #prisms: PrismHandle[] = [];
  readonly #starting: Array<Promise<unknown>> = [];

  /** `settings`: the run's validated options with the run's own abort signal. */
  constructor(settings: NodeSessionSettings) {
    this.#settings = settings;
  }

  /**
   * Opens a node session owned by the run. `target`: the report target whose request count it
   * adds to (a roles-file account's session counts toward none); `account`: log in as this
   * account instead of the run's `--username`.
   */
  openSession(node: NodeTarget, opts: { target?: TargetInfo; account?: SessionAccount } = {}): NodeSession {
    const settings = opts.account ? { ...this.#settings, username: opts.account.username, password: opts.account.password } : this.#settings;
    const session = new NodeSession(settings, node);
    this.#sessions.push({ session, target: opts.target });
    return session;
  }

  /** The first session opened for `target` (its node's main session). */
  sessionOf(target: TargetInfo): NodeSession | undefined {
    return this.#sessions.find((s) => s.target === target)?.session;
  }

  /**
   * Starts a Prism mock of `specFile` owned by the run: stopped at the end, also when it was
   * never used or finished starting only after the run had stopped.
   */
  startPrism(specFile: string): Promise<PrismHandle> {
    const started = startPrism(specFile).then((prism) => {
      this.#prisms.push(prism);
      return prism;
    });
    this.#starting.push(started.catch(() => undefined));
    return started;
  }

  /** Writes into each target the requests of the sessions opened for it. */
  countRequests(): void {
    const counted = new Map<TargetInfo, number>();
    for (const { session, target } of this.#sessions) if (target) counted.set(target, (counted.get(target) ?? 0) + session.requests);
    for (const [target, requests] of counted) target.requests = requests;
  }

  /** Closes every node session, then every Prism; safe to call again; never throws. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#sessions.map((s) => s.session.close()));
    await Promise.allSettled(this.#starting);
    await Promise.allSettled(this.#prisms.map((p) => p.close()));
  }
}
