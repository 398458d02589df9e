// A per-plugin-instance queue for log shipping (Kong's kong.tools.queue): batches entries, sends them off the
// request path, retries failures with exponential backoff until max_retry_time, and caps memory at max_entries.
import type { PluginLogger } from '../types';

export interface QueueSettings {
  readonly max_batch_size: number;
  readonly max_coalescing_delay: number; // seconds
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
