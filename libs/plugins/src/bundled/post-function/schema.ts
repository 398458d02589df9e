import { serverlessSchema } from '../serverless/schema';

export const schema = serverlessSchema('post-function');

/** Kong's typedefs.no_consumer: not configurable for one consumer. */
export const noConsumer = true;
