// Client-chosen keys (`__proto__[x]=`, `constructor.prototype`) must become plain own properties: an assignment
// to `__proto__` would swap the object's prototype instead, and reading one could return Object.prototype.

export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

export function getOwn(target: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
}
