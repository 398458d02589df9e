// DeltaComposer: deltas composed in order and applied once equal the deltas applied one by one.
import { applyDelta, DeltaComposer, diffSnapshots } from './delta';
import type { Snapshot } from './snapshot';

const svc = (n: number, port = 80) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `s${n}`, port });
const config = (...services: Array<ReturnType<typeof svc>>): Snapshot => ({ _format_version: '3.0', services }) as unknown as Snapshot;

describe('DeltaComposer', () => {
  it('applies a chain of deltas at once: later upserts and deletes of a row win, a row created then deleted is gone', () => {
    const steps = [
      config(svc(1), svc(3)),
      config(svc(1), svc(2), svc(3)), // create 2
      config(svc(1, 81), svc(2)), // update 1, delete 3
      config(svc(2), svc(3, 90), svc(4)), // delete 1, re-create 3, create 4
      config(svc(2, 82), svc(3, 90)), // update 2, delete 4 (created one step earlier)
      config(svc(2, 82), svc(3, 90), svc(5)),
    ];
    const composer = new DeltaComposer();
    let stepwise = steps[0];
    for (let i = 1; i < steps.length; i++) {
      const delta = diffSnapshots(steps[i - 1], steps[i]);
      composer.add(delta);
      stepwise = applyDelta(stepwise, delta);
    }
    expect(applyDelta(steps[0], composer.toDelta())).toEqual(steps[steps.length - 1]);
    expect(stepwise).toEqual(steps[steps.length - 1]);
    expect(composer.toDelta()).toEqual({
      upserts: { services: [svc(2, 82), svc(3, 90), svc(5)] },
      deletes: { services: [svc(1).id, svc(4).id] },
    });
  });
});
