// pre-function: Lua snippets before every other plugin (Kong's PRIORITY 1000000).
import { serverlessHandler } from '../serverless/handler';

export const handler = serverlessHandler('pre-function', 1000000);
