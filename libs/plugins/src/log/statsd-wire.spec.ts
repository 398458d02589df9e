import { packDatagrams, statsdLine, tagPairs } from './statsd-wire';

describe('statsdLine', () => {
  const tags = (style: 'dogstatsd' | 'influxdb' | 'librato' | 'signalfx') => tagPairs([['service', 's'], ['status', 200]], style);
  it.each([
    ['plain', statsdLine('kong', 'request.count', 1, 'c', 1), 'kong.request.count:1|c'],
    ['sample rate', statsdLine('kong', 'request.count', 1, 'c', 0.5), 'kong.request.count:1|c|@0.5'],
    ['dogstatsd', statsdLine('kong', 'latency', 12, 'ms', 0.5, tags('dogstatsd'), 'dogstatsd'), 'kong.latency:12|ms|@0.5|#service:s,status:200'],
    ['influxdb', statsdLine('kong', 'latency', 12, 'ms', null, tags('influxdb'), 'influxdb'), 'kong.latency,service=s,status=200:12|ms'],
    ['librato', statsdLine('kong', 'latency', 12, 'ms', null, tags('librato'), 'librato'), 'kong.latency#service=s,status=200:12|ms'],
    ['signalfx', statsdLine('kong', 'latency', 12, 'ms', null, tags('signalfx'), 'signalfx'), 'kong.latency[service=s,status=200]:12|ms'],
    ['no tags in tag mode', statsdLine('kong', 'latency', 12, 'ms', null, null, 'dogstatsd'), 'kong.latency:12|ms'],
  ])('%s', (_name, line, expected) => expect(line).toBe(expected));
});

describe('packDatagrams', () => {
  it('0 sends each line alone', () => expect(packDatagrams(['a:1|c', 'b:1|c'], 0)).toEqual(['a:1|c', 'b:1|c']));
  it('joins lines with newlines up to the size', () => expect(packDatagrams(['aaaa', 'bbbb', 'cccc'], 9)).toEqual(['aaaa\nbbbb', 'cccc']));
  it('an oversized line goes alone', () => expect(packDatagrams(['a', 'bbbbbbbbbbbb', 'c'], 5)).toEqual(['a', 'bbbbbbbbbbbb', 'c']));
});
