// Kong's registered-claims checks (jwt_parser verify_registered_claims + check_maximum_expiration), with Kong's
// messages: the 401 body is the error table itself, e.g. {"exp":"token expired"}. jose's own claim validation
// is not used: it always rejects an expired token, while Kong checks exp/nbf only when claims_to_verify says so.

const CLAIM_CHECKS: Record<string, (value: number, now: number) => string | undefined> = {
  exp: (exp, now) => (exp <= now ? 'token expired' : undefined),
  nbf: (nbf, now) => (nbf > now ? 'token not valid yet' : undefined),
};

/** Errors by claim name, or undefined when the claims pass. `now` is whole seconds, as nginx's clock. */
export function claimErrors(
  claims: Record<string, unknown>,
  claimsToVerify: readonly string[] | null,
  maximumExpiration: number,
  now = Math.floor(Date.now() / 1000),
): Record<string, string> | undefined {
  let errors: Record<string, string> | undefined;
  if (claimsToVerify) {
    for (const name of claimsToVerify) {
      const check = CLAIM_CHECKS[name];
      const value = claims[name];
      if (!check || value === undefined || value === null) continue;
      const error = typeof value !== 'number' ? 'must be a number' : check(value, now);
      if (error) (errors ??= {})[name] = error;
    }
  }
  // Kong checks the maximum only once the registered claims passed.
  if (errors || maximumExpiration <= 0) return errors;
  const exp = claims.exp;
  if (typeof exp !== 'number') return { exp: 'must exist' };
  if (exp - now > maximumExpiration) return { exp: 'exceeds maximum allowed expiration' };
  return undefined;
}
