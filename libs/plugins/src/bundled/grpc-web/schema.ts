import type { FieldList } from '@tollgate/schema';

// Kong's grpc-web schema: no field is required, allow_origin_header defaults to "*".
export const schema: FieldList = [
  ['proto', { type: 'string', required: false, description: 'Path of a .proto file describing the gRPC services; needed to transcode JSON requests. Without it, clients must send binary protobuf messages.' }],
  ['pass_stripped_path', { type: 'boolean', required: false, description: "When true, the upstream gets the route's stripped path instead of the request path." }],
  ['allow_origin_header', { type: 'string', required: false, default: '*', description: 'Value of the Access-Control-Allow-Origin response header.' }],
];
