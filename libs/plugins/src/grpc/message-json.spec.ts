// Kong's JSON <-> protobuf rules on a proto file loaded as the plugins load it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, MessageEncodeError } from './message-json';
import { loadProtoFile } from './proto-file';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-proto-'));
const file = join(dir, 'shop.proto');
writeFileSync(file, `
syntax = "proto3";
package shop.v1;
import "google/api/annotations.proto";
import "google/protobuf/timestamp.proto";
service Items {
  rpc Get(GetReq) returns (Item) { option (google.api.http) = { get: "/v1/items/{id}" additional_bindings { get: "/v1/legacy/{id=**}" } body: "*" }; }
}
message GetReq { int64 id = 1; bool verbose = 2; Limb limb = 3; }
message Limb { int32 count = 1; }
message Item {
  enum Kind { PLAIN = 0; FANCY = 1; }
  int64 id = 1; string name = 2; Kind kind = 3; repeated string tags = 4; map<string, int32> stock = 5;
  Limb limb = 6; google.protobuf.Timestamp at = 7; optional string note = 8; double price = 9; uint64 big = 10;
  oneof pick { string a = 11; int32 b = 12; }
}
`);

describe('proto file and JSON mapping', () => {
  const proto = loadProtoFile(file);
  const get = proto.byPath.get('/shop.v1.Items/Get')!;

  it('lists methods by gRPC path with their google.api.http option', () => {
    expect([...proto.byPath.keys()]).toEqual(['/shop.v1.Items/Get']);
    expect(get.http).toEqual({ get: '/v1/items/{id}', additional_bindings: { get: '/v1/legacy/{id=**}' }, body: '*' });
    expect(get.output.fullName).toBe('.shop.v1.Item');
  });

  it('decodes proto3 defaults, enums by name, int64 as numbers or strings, timestamps as UTC text', () => {
    const item = get.output;
    const bytes = encodeMessage(item, { id: '12', big: '18446744073709551615', kind: 'FANCY', at: '2024-05-06T07:08:09Z', stock: { a: 3 }, b: 4, price: 0.1 });
    expect(decodeMessage(item, bytes)).toEqual({
      id: 12, name: '', kind: 'FANCY', tags: [], stock: { a: 3 }, at: '2024-05-06T07:08:09', price: 0.1, big: '18446744073709551615', b: 4,
    });
    expect(decodeMessage(item, Buffer.alloc(0))).toEqual({ id: 0, name: '', kind: 'PLAIN', tags: [], stock: {}, price: 0, big: 0 });
  });

  it.each([
    [{ name: 1 }, 'Item.name: expected a string, got number'],
    [{ name: null }, 'Item.name: null is not a value'],
    [{ id: 'x' }, 'Item.id: expected an integer, got string'],
    [{ tags: 'a' }, 'Item.tags: expected an array, got string'],
    [{ kind: 'NOPE' }, 'Item.kind: unknown enum name "NOPE"'],
    [{ limb: [] }, 'Item.limb: expected an object, got an array'],
  ])('refuses %j', (value, message) => {
    expect(() => encodeMessage(get.output, value)).toThrow(new MessageEncodeError(message));
  });
});
