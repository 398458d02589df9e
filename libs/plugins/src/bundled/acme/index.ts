// What the control plane and the supervisor use of the acme plugin (the Admin API's /acme, the worker link).
export { setAcmeHost, acmeHost, LocalAcmeHost, ipcAcmeHost, isAcmeRequest, serveAcmeRequest, type AcmeHost, type AcmeRequest, type AcmeReply } from './link';
export { shmStorage, redisStorage, closeAcmeRedisClients, KEYS as ACME_KEYS, type AcmeStorage } from './storage';
export { updateCertificate, renewCertificates, storeRenewConfig, loadRenewHosts, describeCertificate, storageSink, type CertificateSink, type CertKey, type AccountKeyResolver } from './certificates';
export { listedDomain, type AcmeConf } from './conf';
export { configureAcme } from './schema';
