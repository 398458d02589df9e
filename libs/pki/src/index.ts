export { issueCertificate, type CertificateRequest, type PemPair } from './issue';
export { ensureDefaultCertificate, defaultCertificatePaths, type DefaultCertName, type StoredPair } from './defaults';
export { loadPem } from './pem';
export { generateClusterCertificate, writeClusterCertificate, CLUSTER_COMMON_NAME } from './cluster';
export { readTrustedCertificates, setTrustedCertificates, trustedCertificates } from './trusted-ca';
