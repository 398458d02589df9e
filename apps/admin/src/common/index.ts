export { configureAdminHttp, DEFAULT_ADMIN_MAX_BODY_SIZE } from './configure-admin-http';
export { AdminExceptionFilter } from './admin-exception.filter';
export { bodyReader, isFormBody, requestTooLarge } from './body-reader';
export { decodeFormPairs, type FormTree } from './form-decode';
export { coerceFormRecord, coerceFormValue } from './form-coerce';
export { allowedMethods } from './route-table';
export { sendKongError, toKongError, type ErrorLogger } from './send-error';
