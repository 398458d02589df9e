export { createLogger, nullLogger, KONG_LEVELS, type TollgateLogger, type LoggerOptions } from './logger';
export { createAccessLog, type AccessLog } from './access-log';
