/** nginx-style connection counters for `GET /status`, shared by every admin listener. */
export class ConnectionStats {
  accepted = 0;
  handled = 0;
  active = 0;
  writing = 0;
  totalRequests = 0;

  connectionOpened(): void {
    this.accepted += 1;
    this.handled += 1;
    this.active += 1;
  }

  connectionClosed(): void {
    this.active -= 1;
  }

  requestStarted(): void {
    this.totalRequests += 1;
    this.writing += 1;
  }

  requestFinished(): void {
    this.writing -= 1;
  }

  /** Kong's `server` object: waiting = open connections with no request in progress. */
  toKong(): Record<string, number> {
    const writing = Math.max(this.writing, 0);
    return {
      connections_accepted: this.accepted,
      connections_active: this.active,
      connections_handled: this.handled,
      connections_reading: 0,
      connections_writing: writing,
      connections_waiting: Math.max(this.active - writing, 0),
      total_requests: this.totalRequests,
    };
  }
}
