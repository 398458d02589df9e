// The handler shared by pre-function and post-function (Kong's _handler.lua): each phase's snippets compiled
// once per configuration, run in order; Kong's closure form (`return function() ... end`) is detected on the
// first run, as Kong does: the chunk runs once and, when it returns a function, that function runs from then on.
import type { LuaPhase } from '../../lua/active';
import { lua, lauxlib, toLua } from '../../lua/fengari';
import { requestState } from '../../lua/request-state';
import { EXITED, luaVm, LuaError, type LuaVm } from '../../lua/vm';
import { LUA_DISABLED, luaSettings } from '../../lua/settings';
import type { PluginRun } from '../../pipeline/plugin-run';
import type { CertificateHandshake, PhaseResult, PluginContext, PluginHandler, PluginLogger } from '../../types';
import { KONG_VERSION } from '../common';
import { PHASES, type ServerlessPhase } from './schema';

interface Snippet {
  readonly chunk: number;
  /** The function a closure-form chunk returned; -1 until known. */
  fn: number;
  /** false once the first run showed the chunk itself is the handler (or it exited before returning). */
  firstRun: boolean;
}

interface Conf {
  readonly id: string;
  readonly phases: Readonly<Record<ServerlessPhase, readonly Snippet[]>>;
  /** Some rewrite/access snippet reads the body: it is read before they run (Lua cannot wait). */
  readonly readsBody: boolean;
  /** Why these snippets cannot run (untrusted_lua = off, a snippet that does not compile): every request fails. */
  readonly broken: string | null;
  /** The node's logger: kong.log in the certificate phase, where no request exists. */
  readonly log: PluginLogger;
}

const READS_BODY = /get_raw_body|get_body\b|get_body_data|get_post_args/;

function prepare(config: Record<string, unknown>, pluginId: string, log: PluginLogger): Conf {
  const phases = {} as Record<ServerlessPhase, Snippet[]>;
  let broken: string | null = luaSettings().untrustedLua === 'off' ? LUA_DISABLED : null;
  let readsBody = false;
  const vm = broken ? null : luaVm();
  const conf = { id: pluginId, phases, readsBody, broken, log };
  for (const phase of PHASES) {
    const list = (config[phase] as string[] | null | undefined) ?? [];
    phases[phase] = [];
    if (!vm) continue;
    for (const source of list) {
      if ((phase === 'rewrite' || phase === 'access') && READS_BODY.test(source)) readsBody = true;
      try {
        const chunk = vm.compileSnippet(source);
        phases[phase].push({ chunk, fn: -1, firstRun: true });
      } catch (err) {
        if (!(err instanceof LuaError)) throw err;
        broken ??= `error parsing function: ${err.message}`;
      }
    }
  }
  const out: Conf = Object.freeze({ ...conf, readsBody, broken });
  if (vm) for (const list of Object.values(phases)) for (const s of list) vm.releaseWith(out, s.chunk);
  return out;
}

/** Runs one snippet; EXITED when it ended the phase (kong.response.exit, ngx.exit). */
function runSnippet(vm: LuaVm, s: Snippet, run: PluginRun, conf: Conf, phase: LuaPhase, body: Buffer | null, owner: Conf): 'ok' | typeof EXITED {
  const call = { run, pluginId: conf.id, phase, body };
  if (s.fn !== -1) return vm.invoke(s.fn, call, null, false);
  if (!s.firstRun) return vm.invoke(s.chunk, call, null, false);
  s.firstRun = false;
  const first = vm.invoke(s.chunk, call, null, true);
  if (first === EXITED) return EXITED;
  const L = vm.L;
  if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) {
    lua.lua_pop(L, 1);
    return 'ok';
  }
  s.fn = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  vm.releaseWith(owner, s.fn);
  return vm.invoke(s.fn, call, null, false);
}

function runPhase(kong: PluginContext, conf: Conf, phase: ServerlessPhase, body: Buffer | null): void {
  const list = conf.phases[phase];
  if (list.length === 0) return;
  if (conf.broken) throw new LuaError(conf.broken);
  const run = kong as PluginRun;
  const vm = luaVm();
  for (const s of list) {
    if (runSnippet(vm, s, run, conf, phase, body, conf) === EXITED) break;
  }
  if (phase !== 'rewrite' && phase !== 'access') return;
  // ngx.say without ngx.exit: what was said is the response
  const state = requestState(run);
  if (state.said !== null && !run.response.exited) run.response.exit(state.status ?? 200, state.said.join(''));
}

function beforeProxy(kong: PluginContext, conf: Conf, phase: 'rewrite' | 'access'): PhaseResult {
  if (conf.phases[phase].length === 0) return;
  if (!conf.readsBody) return runPhase(kong, conf, phase, null);
  return kong.request.readBody().then((body) => runPhase(kong, conf, phase, body));
}

/**
 * What Lua reaches in the certificate phase: kong.log, kong.client.get_ip/get_port and this handshake's own
 * kong.ctx / ngx.ctx tables (nothing carries over to the requests, as in Kong); the request, response, service
 * and router do not exist yet and name themselves in a Lua error.
 */
class CertificateRun {
  readonly ctx: Record<string, unknown> = {};
  readonly host: { protocol: string; peerIp: string | undefined; peerPort: number | undefined };
  readonly client: { ip: string | undefined; consumer: null; credential: null };
  serializeValues: Map<string, unknown> | null = null;
  constructor(readonly log: PluginLogger, handshake: CertificateHandshake) {
    this.host = { protocol: handshake.stream === true ? 'tls' : 'https', peerIp: handshake.peerIp, peerPort: handshake.peerPort };
    this.client = { ip: handshake.peerIp, consumer: null, credential: null };
  }
  get request(): never { return unavailable('kong.request'); }
  get response(): never { return unavailable('kong.response'); }
  get route(): never { return unavailable('kong.router'); }
  get service(): never { return unavailable('kong.service'); }
  get entities(): never { return unavailable('kong.client'); }
}

function unavailable(what: string): never {
  lauxlib.luaL_error(luaVm().L, toLua(`${what} functions cannot be called in the certificate phase`));
  throw new Error('unreachable');
}

/** Kong's certificate phase: the snippets in order; a Lua error is logged and fails this handshake only. */
function runCertificate(serverName: string, conf: Conf, handshake: CertificateHandshake): null {
  const list = conf.phases.certificate;
  if (list.length === 0) return null;
  if (conf.broken) throw new LuaError(conf.broken);
  const run = new CertificateRun(conf.log, handshake) as unknown as PluginRun;
  const vm = luaVm();
  try {
    for (const s of list) {
      if (runSnippet(vm, s, run, conf, 'certificate', null, conf) === EXITED) break;
    }
  } catch (err) {
    conf.log.error(`failed to run certificate phase for ${serverName}: ${(err as Error).message}`, { plugin_id: conf.id, phase: 'certificate' });
    throw err;
  }
  return null;
}

export function serverlessHandler(name: string, priority: number): PluginHandler<Conf> {
  return {
    name,
    priority,
    version: KONG_VERSION,
    prepare: (config, env) => prepare(config, env.pluginId, env.log),
    runsIn: (phase, conf) => conf.phases[phase as ServerlessPhase]?.length > 0,
    rewrite: (kong, conf) => beforeProxy(kong, conf, 'rewrite'),
    access: (kong, conf) => beforeProxy(kong, conf, 'access'),
    header_filter: (kong, conf) => runPhase(kong, conf, 'header_filter', null),
    body_filter: (kong, conf) => runPhase(kong, conf, 'body_filter', null),
    buffersBody: (conf) => conf.phases.body_filter.length > 0,
    log: (kong, conf) => runPhase(kong, conf, 'log', null),
    certificate: (serverName, conf, handshake) => runCertificate(serverName, conf, handshake),
  };
}
