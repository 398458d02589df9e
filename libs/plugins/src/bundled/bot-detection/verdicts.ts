// What one bot-detection config decides for a user agent, remembered per config (Kong keeps an LRU of 10^4
// user agents per config): real traffic repeats a handful of user agents, and the rule table is long.
import { botFamily } from './rules';

export enum Verdict { Pass = 0, Allowed = 1, Denied = 2, Bot = 3 }

const CACHE_SIZE = 10_000;

export class UserAgentVerdicts {
  private readonly seen = new Map<string, Verdict>();

  constructor(private readonly allow: readonly RegExp[], private readonly deny: readonly RegExp[]) {}

  verdict(userAgent: string): Verdict {
    let v = this.seen.get(userAgent);
    if (v !== undefined) {
      // refresh its place: the Map's insertion order is the eviction order
      this.seen.delete(userAgent);
      this.seen.set(userAgent, v);
      return v;
    }
    v = this.examine(userAgent.trim());
    if (this.seen.size >= CACHE_SIZE) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(userAgent, v);
    return v;
  }

  /** Kong's order: allow wins over deny, deny over the bundled rules. */
  private examine(userAgent: string): Verdict {
    for (const r of this.allow) if (r.test(userAgent)) return Verdict.Allowed;
    for (const r of this.deny) if (r.test(userAgent)) return Verdict.Denied;
    return botFamily(userAgent) === null ? Verdict.Pass : Verdict.Bot;
  }
}
