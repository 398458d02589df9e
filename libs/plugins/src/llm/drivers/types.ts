// What every provider driver implements: OpenAI-format requests to the provider's wire format and its answers
// (whole bodies and server-sent events) back to OpenAI's format. Drivers are pure: no I/O, no plugin context.

export type RouteType = 'llm/v1/chat' | 'llm/v1/completions';

export interface ModelOptions {
  readonly max_tokens?: number | null;
  readonly input_cost?: number | null;
  readonly output_cost?: number | null;
  readonly temperature?: number | null;
  readonly top_p?: number | null;
  readonly top_k?: number | null;
  readonly anthropic_version?: string | null;
  readonly llama2_format?: string | null;
  readonly mistral_format?: string | null;
  readonly upstream_url?: string | null;
  readonly upstream_path?: string | null;
}

/** The model in use for one request: the configured one, its name possibly taken from the request. */
export interface Model {
  readonly provider: string;
  readonly name: string;
  readonly options: ModelOptions;
}

/** A JSON object (an OpenAI-format request or response). */
export type Json = Record<string, any>;

/** One server-sent event (or one line of a newline-delimited JSON stream, as `data`). */
export interface SseEvent {
  readonly event?: string;
  readonly id?: string;
  readonly data?: string;
}

/** Token counts a stream event reported (added up over the stream, as Kong does). */
export interface StreamUsage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
}

/** Per-stream state a driver keeps between events (Anthropic's message id). */
export type StreamState = Record<string, unknown>;

export type Result<T> = { readonly ok: T } | { readonly error: string };

export interface Driver {
  /** Kong's upstream_url_format + operation_map: where the operation lives when upstream_url is not set. */
  defaultUrl(routeType: RouteType): string | null;
  /** Provider headers besides auth (anthropic-version). */
  headers(model: Model): Record<string, string>;
  /** Whether the provider's stream reports token counts (otherwise the prompt is estimated, as Kong). */
  readonly streamingHasTokenCounts: boolean;
  /** OpenAI-format request (already merged with the configured defaults) -> the provider's request body. */
  toFormat(request: Json, model: Model, routeType: RouteType): Result<Json>;
  /** The provider's response body -> an OpenAI-format response body (a JSON string). */
  fromFormat(body: string, model: Model, routeType: RouteType): Result<string>;
  /** One provider stream event -> an OpenAI-format chunk (JSON text or `[DONE]`), and any usage it carried. */
  fromStreamEvent(event: SseEvent, model: Model, routeType: RouteType, state: StreamState): { frame?: string; usage?: StreamUsage; error?: string };
}

export const SSE_TERMINATOR = '[DONE]';
