import { serverlessSchema } from '../serverless/schema';

export const schema = serverlessSchema('pre-function');

/** Kong's typedefs.no_consumer: not configurable for one consumer. */
export const noConsumer = true;
