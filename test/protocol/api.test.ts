import { describe, expect, it } from 'vitest';

import { type Command, COMMAND_TYPES, engineApiFrom } from '../../src-main/protocol.js';

describe('engineApiFrom', () => {
  it('has one verb per declared command, each sending its fields and its type', () => {
    const sent: Command[] = [];
    const api = engineApiFrom(
      (c) => sent.push(c),
      () => () => {},
    );
    for (const type of COMMAND_TYPES) expect(typeof (api as unknown as Record<string, unknown>)[type]).toBe('function');
    api.hello();
    api.train({ jobId: 't', params: { model: 'conv', epochs: 2 } });
    api.exportCsv({ requestId: 'r', columns: ['error'] });
    expect(sent).toEqual([
      { type: 'hello' },
      { type: 'train', jobId: 't', params: { model: 'conv', epochs: 2 } },
      { type: 'exportCsv', requestId: 'r', columns: ['error'] },
    ]);
  });
});
