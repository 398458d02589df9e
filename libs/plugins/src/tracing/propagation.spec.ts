import { propagationParams, toIdSize } from './propagation';
import { sampleTrace } from './sampler';

describe('propagationParams (Kong get_plugin_params)', () => {
  const ALL = ['b3', 'w3c', 'jaeger', 'ot', 'datadog', 'aws', 'gcp', 'instana'];
  test.each([
    ['header_type preserve: every extractor, inject the incoming format', { header_type: 'preserve', propagation: { default_format: 'w3c' } },
      { extract: ALL, inject: ['preserve'], clear: null, defaultFormat: 'w3c' }],
    ['header_type ignore: nothing extracted, default format injected', { header_type: 'ignore', propagation: { default_format: 'b3' } },
      { extract: null, inject: ['b3'], clear: null, defaultFormat: 'b3' }],
    ['header_type jaeger: incoming format and jaeger injected', { header_type: 'jaeger', propagation: { default_format: 'w3c' } },
      { extract: ALL, inject: ['preserve', 'jaeger'], clear: null, defaultFormat: 'w3c' }],
    ['default_header_type replaces default_format (zipkin)', { header_type: 'preserve', default_header_type: 'b3-single', propagation: { default_format: 'b3' } },
      { extract: ALL, inject: ['preserve'], clear: null, defaultFormat: 'b3-single' }],
    ['a propagation option set: the record wins over header_type', { header_type: 'b3', propagation: { extract: ['w3c'], inject: null, clear: ['x-a'], default_format: 'w3c' } },
      { extract: ['w3c'], inject: null, clear: ['x-a'], defaultFormat: 'w3c' }],
  ])('%s', (_name, config, expected) => {
    expect(propagationParams(config)).toEqual(expected);
  });
});

describe('toIdSize (Kong to_id_size)', () => {
  test.each([
    ['abcd', 8, '000000000000abcd'],
    ['4bf92f3577b34da6a3ce929d0e0e4736', 8, 'a3ce929d0e0e4736'],
    ['a3ce929d0e0e4736', 16, '0000000000000000a3ce929d0e0e4736'],
  ])('%s to %d bytes', (id, bytes, out) => expect(toIdSize(id, bytes)).toBe(out));
});

describe('sampleTrace (trace-id ratio sampler)', () => {
  test('rate 1 and 0 are absolute; in between the decision follows the trace id and is stable', () => {
    expect(sampleTrace('ffffffffffffffffffffffffffffffff', 1)).toBe(true);
    expect(sampleTrace('00000000000000000000000000000001', 0)).toBe(false);
    expect(sampleTrace('10000000000000000000000000000000', 0.5)).toBe(true); // 0x10.. / 2^64 = 0.0625
    expect(sampleTrace('c0000000000000000000000000000000', 0.5)).toBe(false); // 0.75
    let kept = 0;
    for (let i = 0; i < 1000; i++) if (sampleTrace(((i * 2654435761) % 4294967296).toString(16).padStart(8, '0') + '0'.repeat(24), 0.25)) kept++;
    expect(kept).toBeGreaterThan(150);
    expect(kept).toBeLessThan(350);
  });
});
