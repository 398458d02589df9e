import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';
import { certificateDigest, countCertificates, parseCertificate } from './pem';

function checkCaCertificate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (countCertificates(value) > 1) return 'please submit only one certificate at a time';
  const { cert, error } = parseCertificate(value);
  if (!cert) return error;
  if (Date.parse(cert.validTo) < Date.now()) return 'certificate expired, "Not After" time is in the past';
  if (!cert.ca) return 'certificate does not appear to be a CA because it is missing the "CA" basic constraint';
  return undefined;
}

export const ca_certificates: EntitySchema = {
  name: 'ca_certificates',
  adminPath: '/ca_certificates',
  primaryKey: ['id'],
  description: 'A trusted CA certificate, used to verify upstream and client certificates.',
  fields: [
    ['id', t.uuid],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['cert', { type: 'string', required: true, custom: checkCaCertificate, description: 'One PEM CA certificate.', example: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----' }],
    ['cert_digest', { type: 'string', unique: true, description: 'Hex SHA-256 of the DER certificate; computed on write.', example: 'f2b8ae4b3cf7e4c6c3c7d9c1b9f0a0e4d3c2b1a0f9e8d7c6b5a4938271605f4e' }],
    ['tags', t.tags],
  ],
  // the digest always follows the certificate, whatever the client sent
  transform: (entity) => ({ ...entity, cert_digest: certificateDigest(entity.cert as string) ?? entity.cert_digest }),
};
