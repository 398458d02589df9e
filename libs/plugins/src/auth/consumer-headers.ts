// What every auth plugin does once it knows who is calling (Kong's set_consumer): authenticate the request and
// tell the upstream with X-Consumer-* / X-Credential-Identifier / X-Anonymous-Consumer.
import type { Row } from '@tollgate/declarative/snapshot';
import type { PluginContext } from '../types';

export function setConsumer(kong: PluginContext, consumer: Row | null, credential: Row | null, credentialIdentifier?: string | null): void {
  kong.client.authenticate(consumer, credential);
  const req = kong.request;
  if (consumer && consumer.id) req.setHeader('x-consumer-id', consumer.id);
  else clear(req, 'x-consumer-id');
  if (consumer && consumer.custom_id) req.setHeader('x-consumer-custom-id', String(consumer.custom_id));
  else clear(req, 'x-consumer-custom-id');
  if (consumer && consumer.username) req.setHeader('x-consumer-username', String(consumer.username));
  else clear(req, 'x-consumer-username');
  const identifier = credentialIdentifier ?? (credential ? credential.id : null);
  if (credential && identifier) req.setHeader('x-credential-identifier', identifier);
  else clear(req, 'x-credential-identifier');
  if (credential) clear(req, 'x-anonymous-consumer');
  else req.setHeader('x-anonymous-consumer', 'true');
}

/**
 * Clears a header only when the request has it (from the client or an earlier plugin): the gateway never adds
 * these names itself, so clearing an absent one changes nothing upstream, and recording it would cost a removal
 * pass over the upstream header list on most authenticated requests.
 */
function clear(req: PluginContext['request'], name: string): void {
  if (req.getHeader(name) !== undefined) req.clearHeader(name);
}

/** Kong's anonymous fallback. Returns false when the anonymous consumer does not exist (a 500, as Kong). */
export function authenticateAnonymous(kong: PluginContext, anonymous: string): boolean {
  const consumer = kong.entities.consumerByIdOrName(anonymous);
  if (!consumer) {
    kong.log.error(`anonymous consumer ${anonymous} is configured but doesn't exist`);
    kong.response.error(500, 'An unexpected error occurred');
    return false;
  }
  setConsumer(kong, consumer, null);
  return true;
}

/** An earlier auth plugin already authenticated a real credential: with `anonymous` set, auth is a logical OR. */
export function alreadyAuthenticated(kong: PluginContext, anonymous: unknown): boolean {
  return typeof anonymous === 'string' && anonymous !== '' && kong.client.credential !== null;
}

export function isPreflight(kong: PluginContext): boolean {
  return kong.request.method === 'OPTIONS';
}
