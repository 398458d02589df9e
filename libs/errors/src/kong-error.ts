// One class for every error that leaves the Admin API or the proxy: an HTTP status and the exact body to send.
// Bodies are built only from the closed tables in this lib, so no internal message reaches a client.

export interface KongErrorBody {
  readonly code?: number;
  readonly name?: string;
  readonly message: string;
  readonly fields?: unknown;
  readonly options?: unknown;
}

export class KongError extends Error {
  constructor(
    readonly status: number,
    /** JSON body, or a raw string when `contentType` is text (Kong's multiple Content-Type answer). */
    readonly body: KongErrorBody | string | null,
    /** Kept for logs only; never serialised. */
    readonly detail?: unknown,
    readonly contentType: string = 'application/json; charset=utf-8',
  ) {
    super(typeof body === 'string' ? body : body ? body.message : `HTTP ${status}`);
    this.name = 'KongError';
  }

  get code(): number | undefined {
    return typeof this.body === 'object' && this.body ? this.body.code : undefined;
  }
}

export function isKongError(value: unknown): value is KongError {
  return value instanceof KongError;
}
