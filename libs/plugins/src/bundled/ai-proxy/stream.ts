// A streamed LLM answer on its way to the client: provider events become OpenAI `data:` chunks as they arrive
// (Kong's parse-sse-chunk + normalize-sse-chunk filters), with the token counts the events report.
import { StringDecoder } from 'node:string_decoder';
import type { Driver, Model, RouteType, StreamState } from '../../llm/drivers';
import { SSE_TERMINATOR } from '../../llm/drivers';
import { EventSplitter } from '../../llm/sse';
import type { LlmMetrics } from '../../llm/analytics';

export class StreamTranslator {
  private readonly decoder = new StringDecoder('utf8');
  private readonly splitter = new EventSplitter();
  private readonly state: StreamState = {};
  /** The answer's text, for the completion-token estimate and log_payloads. */
  text = '';
  finishReason: unknown = undefined;

  constructor(
    private readonly driver: Driver,
    private readonly model: Model,
    private readonly routeType: RouteType,
    private readonly metrics: LlmMetrics,
    private readonly countTokens: boolean,
  ) {}

  /** The client's bytes for one upstream chunk (`last`: the stream ended). */
  push(chunk: Buffer, last: boolean): string {
    const text = last ? this.decoder.write(chunk) + this.decoder.end() : this.decoder.write(chunk);
    let out = '';
    for (const event of this.splitter.push(text, last)) {
      const r = this.driver.fromStreamEvent(event, this.model, this.routeType, this.state);
      if (r.frame !== undefined) {
        out += `data: ${r.frame}${r.frame === SSE_TERMINATOR ? '' : '\n\n'}`;
        if (r.frame !== SSE_TERMINATOR) this.noteFrame(r.frame);
      }
      if (this.countTokens && r.usage) {
        this.metrics.promptTokens = (this.metrics.promptTokens ?? 0) + (r.usage.prompt_tokens ?? 0);
        this.metrics.completionTokens = (this.metrics.completionTokens ?? 0) + (r.usage.completion_tokens ?? 0);
      }
    }
    return out;
  }

  private noteFrame(frame: string): void {
    let chunk: { choices?: Array<{ finish_reason?: unknown; delta?: { content?: unknown }; text?: unknown }> };
    try {
      chunk = JSON.parse(frame);
    } catch {
      return;
    }
    const first = chunk?.choices?.[0];
    if (!first) return;
    this.finishReason = first.finish_reason;
    const token = first.delta?.content ?? first.text;
    if (typeof token === 'string') this.text += token;
  }
}
