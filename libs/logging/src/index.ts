export { createLogger, nullLogger, KONG_LEVELS, type TollgateLogger, type LoggerOptions, type LogFormat } from './logger';
export { createAccessLog, type AccessLog } from './access-log';
export { guardProcess } from './process-guard';
export { reopenLogFiles, onReopen } from './reopen';
export { formatText } from './text-format';
export { timeLocal } from './time-local';
export { combinedLine, kongLine, basicStreamLine, nginxValue, type CombinedFields } from './nginx-format';
