import { EntityCheck, EntitySchema } from '../types';
import * as t from '../fields/typedefs';
import { allOrNoneOf } from './checks';
import { certificateMatchesKey, checkCertificatePem, checkKeyPem, keyTypeOf } from './pem';

const pairCheck = (certField: string, keyField: string, message: string): EntityCheck => ({
  fields: [certField, keyField],
  check: (e) => {
    if (typeof e[certField] !== 'string' || typeof e[keyField] !== 'string') return [];
    return certificateMatchesKey(e[certField] as string, e[keyField] as string) ? [] : [{ message }];
  },
});

const differentTypes: EntityCheck = {
  fields: ['cert', 'cert_alt'],
  check: (e) => {
    if (typeof e.cert !== 'string' || typeof e.cert_alt !== 'string') return [];
    if (keyTypeOf(e.cert) !== keyTypeOf(e.cert_alt)) return [];
    return [{ message: 'certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type' }];
  },
};

export const certificates: EntitySchema = {
  name: 'certificates',
  adminPath: '/certificates',
  primaryKey: ['id'],
  description: 'A TLS certificate and key pair, served for the SNIs attached to it or used as a client certificate.',
  fields: [
    ['id', t.uuid],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['cert', { type: 'string', required: true, referenceable: true, custom: checkCertificatePem, description: 'PEM certificate (chain).', example: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----' }],
    ['key', { type: 'string', required: true, referenceable: true, custom: checkKeyPem, description: 'PEM private key of `cert`.', example: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----' }],
    ['cert_alt', { type: 'string', referenceable: true, custom: checkCertificatePem, description: 'Alternative PEM certificate of the other key type (RSA vs ECDSA).', example: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----' }],
    ['key_alt', { type: 'string', referenceable: true, custom: checkKeyPem, description: 'PEM private key of `cert_alt`.', example: '-----BEGIN EC PRIVATE KEY-----\n...\n-----END EC PRIVATE KEY-----' }],
    ['tags', t.tags],
    // input-only: the certificates DAO turns it into snis rows; responses list the names sorted
    ['snis', { type: 'array', transient: true, elements: t.sni, description: 'Server names served with this certificate (creates SNI entities).', example: ['api.example.com', '*.example.org'] }],
  ],
  entityChecks: [
    allOrNoneOf(['cert_alt', 'key_alt']),
    pairCheck('cert', 'key', 'certificate does not match key'),
    pairCheck('cert_alt', 'key_alt', 'alternative certificate does not match key'),
    differentTypes,
  ],
};

/** `snis` errors the certificates DAO reports itself (schema violation on field `snis`). */
export const SNI_MESSAGES = {
  duplicated: (name: string) => `${name} is duplicated`,
  taken: (name: string, certificateId: string) => `${name} already associated with existing certificate '${certificateId}'`,
};

/** First duplicated name in a certificate's `snis` input, for the DAO's check. */
export function duplicatedSni(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}
