// post-function: Lua snippets after every other plugin (Kong's PRIORITY -1000).
import { serverlessHandler } from '../serverless/handler';

export const handler = serverlessHandler('post-function', -1000);
