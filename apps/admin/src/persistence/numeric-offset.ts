// `/upstreams/{u}/targets` pages newest first with a numeric offset (kong-admin-api.md §3.4), not a token.
import { invalidOffset } from '@tollgate/errors';

const DIGITS = /^[0-9]{1,15}$/;

/** The number of rows to skip; anything but a non-negative integer is Kong's code 7. */
export function parseNumericOffset(token: string | undefined): number {
  if (token === undefined) return 0;
  if (!DIGITS.test(token)) throw invalidOffset(token, 'must be a number');
  return Number(token);
}
