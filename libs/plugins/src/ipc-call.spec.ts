import { ipcCaller } from './ipc-call';

function channel() {
  const sent: Array<{ id: number }> = [];
  let listener: (msg: unknown) => void = () => undefined;
  return { sent, send: (msg: never) => sent.push(msg), onReply: (l: (msg: unknown) => void) => (listener = l), reply: (m: unknown) => listener(m) };
}

describe('ipcCaller', () => {
  it('settles each call with the answer of its own id and type, whatever the order', async () => {
    const ch = channel();
    const ipc = ipcCaller(ch.send, ch.onReply, 'x-result', 1000);
    const a = ipc.call<{ type: string; id: number; v: string }>((id) => ({ type: 'x', id }), 'late');
    const b = ipc.call<{ type: string; id: number; v: string }>((id) => ({ type: 'x', id }), 'late');
    const [first, second] = ch.sent.map((m) => m.id);
    ch.reply({ type: 'other-result', id: second, v: 'not mine' });
    ch.reply({ type: 'x-result', id: second, v: 'b' });
    ch.reply({ type: 'x-result', id: first, v: 'a' });
    expect((await a)!.v).toBe('a');
    expect((await b)!.v).toBe('b');
  });

  it('without an answer: rejects with the time-out message, or resolves null when there is none', async () => {
    const ch = channel();
    const ipc = ipcCaller(ch.send, ch.onReply, 'x-result', 20);
    await expect(ipc.call((id) => ({ type: 'x', id }), 'no answer')).rejects.toThrow('no answer');
    await expect(ipc.call((id) => ({ type: 'x', id }), null)).resolves.toBeNull();
    ch.reply({ type: 'x-result', id: ch.sent[0].id }); // a late answer is dropped, not delivered twice
  });

  it('one-way ids never collide with calls', () => {
    const ch = channel();
    const ipc = ipcCaller(ch.send, ch.onReply, 'x-result', 1000);
    const oneWay = ipc.nextId();
    void ipc.call((id) => ({ type: 'x', id }), null).catch(() => undefined);
    expect(ch.sent[0].id).not.toBe(oneWay);
  });
});
