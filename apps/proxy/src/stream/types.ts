// What a stream session reports to: the data plane's log and the stream access log.
export interface StreamLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface StreamAccessLog {
  write(entry: Record<string, unknown>): void;
}
