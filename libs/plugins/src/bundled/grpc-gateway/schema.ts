import type { FieldList } from '@tollgate/schema';

// Kong's grpc-gateway schema: one optional field.
export const schema: FieldList = [
  ['proto', { type: 'string', required: false, description: 'Path of the .proto file whose google.api.http annotations map REST requests onto gRPC methods.' }],
];
