import { parseLimitHeader } from './limit-header';

describe('parseLimitHeader', () => {
  const names = new Map([['videos', 0], ['images', 1]]);
  const parse = (v: string | undefined) => Object.fromEntries(parseLimitHeader(v, names));

  it('reads name=count pairs of configured limits', () => {
    expect(parse('videos=2, images=1')).toEqual({ 0: 2, 1: 1 });
    expect(parse(' videos = 3 ')).toEqual({ 0: 3 });
  });

  it('ignores names that are not configured, parts without exactly one `=`, and non-integer counts', () => {
    expect(parse('audio=1, videos, images=1=2')).toEqual({});
    expect(parse('videos=1.5, images=x')).toEqual({});
    expect(parse(undefined)).toEqual({});
  });

  it('keeps a negative count (it gives back) and the last of repeated names', () => {
    expect(parse('videos=-1')).toEqual({ 0: -1 });
    expect(parse('videos=1, videos=4')).toEqual({ 0: 4 });
  });
});
