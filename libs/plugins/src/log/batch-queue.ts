// A per-plugin-instance queue for log shipping (Kong's kong.tools.queue): batches entries, sends them off the
// request path, retries failures with exponential backoff until max_retry_time, and caps memory at max_entries.
import type { PluginLogger } from '../types';

export interface QueueSettings {
  max_batch_size: number;
  max_coalescing_delay: number; // seconds
  readonly max_entries: number;
  readonly max_retry_time: number; // seconds
  readonly initial_retry_delay: number; // seconds
  readonly max_retry_delay: number; // seconds
}

export type BatchSender<T> = (batch: T[]) => Promise<void>;

export class BatchQueue<T> {
  private readonly pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending = false;
  private closed = false;

  constructor(
    private settings: QueueSettings,
    private send: BatchSender<T>,
    private readonly log: PluginLogger,
    private readonly name: string,
  ) {}

  /** A reconfigure keeps the queue (and its pending entries) but takes the new settings and sender. */
  update(settings: QueueSettings, send: BatchSender<T>): void {
    this.settings = settings;
    this.send = send;
  }

  add(entry: T): void {
    if (this.closed) return;
    if (this.pending.length >= this.settings.max_entries) {
      this.pending.shift();
      this.log.warn(`queue ${this.name}: queue full, dropping oldest entry`);
    }
    this.pending.push(entry);
    if (this.pending.length >= this.settings.max_batch_size) this.flushSoon(0);
    else this.flushSoon(this.settings.max_coalescing_delay * 1000);
  }

  get size(): number { return this.pending.length; }

  private flushSoon(delayMs: number): void {
    if (this.sending) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delayMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    this.timer = null;
    if (this.sending || this.pending.length === 0) return;
    this.sending = true;
    const batch = this.pending.splice(0, this.settings.max_batch_size);
    const deadline = Date.now() + this.settings.max_retry_time * 1000;
    let delay = this.settings.initial_retry_delay * 1000;
    for (;;) {
      try {
        await this.send(batch);
        break;
      } catch (err) {
        if (this.closed || Date.now() + delay > deadline) {
          this.log.error(`queue ${this.name}: could not send entries, giving up after retries: ${(err as Error).message}`);
          break;
        }
        this.log.warn(`queue ${this.name}: handler could not process entries: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, this.settings.max_retry_delay * 1000);
      }
    }
    this.sending = false;
    if (this.pending.length > 0) this.flushSoon(this.pending.length >= this.settings.max_batch_size ? 0 : this.settings.max_coalescing_delay * 1000);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

// one queue per plugin entity, kept across reconfigures so no entry is lost on a config swap
const queues = new Map<string, BatchQueue<unknown>>();

/** The queue of plugin entity `pluginId` (created on first use), updated to this config's settings and sender. */
export function pluginQueue<T>(plugin: string, pluginId: string, settings: QueueSettings, send: BatchSender<T>, log: PluginLogger): BatchQueue<T> {
  let queue = queues.get(pluginId) as BatchQueue<T> | undefined;
  if (queue) queue.update(settings, send);
  else queues.set(pluginId, (queue = new BatchQueue<T>(settings, send, log, `${plugin}.${pluginId}`)) as BatchQueue<unknown>);
  return queue;
}

const present = (v: unknown): v is number => typeof v === 'number';

/**
 * A plugin config's queue settings (Kong's Queue.get_plugin_params): `queue`, with the deprecated top-level
 * fields still honoured when set to something other than their old default (queue_size -> max_batch_size,
 * flush_timeout -> max_coalescing_delay, batch_span_count -> max_batch_size); retry_count only earns a warning.
 */
export function queueSettingsOf(plugin: string, config: Record<string, unknown>, log: PluginLogger): QueueSettings {
  const settings = { ...(config.queue as QueueSettings) };
  if (present(config.retry_count) && config.retry_count !== 10) {
    log.warn(`${plugin}: the retry_count parameter no longer works, please update your configuration to use initial_retry_delay and max_retry_time instead`);
  }
  if (present(config.queue_size) && config.queue_size !== 1) {
    settings.max_batch_size = config.queue_size;
    log.warn(`${plugin}: the queue_size parameter is deprecated, please update your configuration to use queue.max_batch_size instead`);
  }
  if (present(config.flush_timeout) && config.flush_timeout !== 2) {
    settings.max_coalescing_delay = config.flush_timeout;
    log.warn(`${plugin}: the flush_timeout parameter is deprecated, please update your configuration to use queue.max_coalescing_delay instead`);
  }
  if (present(config.batch_span_count) && config.batch_span_count !== 200) {
    settings.max_batch_size = config.batch_span_count;
    log.warn(`${plugin}: the batch_span_count parameter is deprecated, please update your configuration to use queue.max_batch_size instead`);
  }
  return settings;
}
