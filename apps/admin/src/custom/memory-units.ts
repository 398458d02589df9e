import { badRequest } from '@tollgate/errors';

const UNITS: Readonly<Record<string, { divisor: number; suffix: string }>> = {
  k: { divisor: 1024, suffix: 'KiB' },
  m: { divisor: 1024 ** 2, suffix: 'MiB' },
  g: { divisor: 1024 ** 3, suffix: 'GiB' },
};

export type MemoryFormatter = (bytes: number) => string;

/** Kong's `/status?unit=&scale=`: sizes as strings such as `41.53 MiB`. */
export function memoryFormatter(unit: unknown, scale: unknown): MemoryFormatter {
  const unitText = typeof unit === 'string' ? unit : 'm';
  const chosen = UNITS[unitText.toLowerCase()];
  if (!chosen || unitText.length !== 1) throw badRequest(`invalid unit '${unitText}' (expected 'k/K', 'm/M', or 'g/G')`);
  const digits = typeof scale === 'string' && /^\d+$/.test(scale) ? Math.min(Number(scale), 20) : 2;
  return (bytes) => `${(bytes / chosen.divisor).toFixed(digits)} ${chosen.suffix}`;
}
