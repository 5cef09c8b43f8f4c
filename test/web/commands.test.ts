import { describe, expect, it } from 'vitest';

import { commandFromMessage, MAX_MESSAGE_BYTES, nestsDeeperThan } from '../../src-main/web/commands.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestsDeeperThan(bytes('[[[]]]'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('[[[[]]]]'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":{"b":[1]}}'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":{"b":[{}]}}'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('["[[[[[[", "{{{{{{"]'), 1)).toBe(false);
    // An escaped quote does not end the string; an escaped backslash before a quote does.
    expect(nestsDeeperThan(bytes('["\\"[[[[[["]'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('["\\\\", [[]]]'), 2)).toBe(true);
    expect(nestsDeeperThan(bytes('["データ[[[[", 1]'), 1)).toBe(false);
  });
});

describe('commandFromMessage', () => {
  it('returns the parsed, stripped command', () => {
    expect(commandFromMessage(bytes('{"type":"cancel","jobId":"j","evil":[1]}'))).toEqual({
      ok: true,
      command: { type: 'cancel', jobId: 'j' },
    });
  });

  it('refuses, with a message, what is too big, too deep, not JSON, invalid or not for web mode', () => {
    const refusal = (data: Buffer) => {
      const r = commandFromMessage(data);
      return r.ok ? null : r.message;
    };
    expect(refusal(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20))).toBe(
      'bad command: the message is 16.0 MB; a command may be at most 16.0 MB',
    );
    expect(refusal(bytes('['.repeat(33) + ']'.repeat(33)))).toBe(
      'bad command: nested deeper than 32 levels of arrays and objects',
    );
    expect(refusal(bytes('{"type":'))).toBe('bad command: not JSON');
    expect(refusal(bytes('{"type":"getItem","requestId":"r","index":-1}'))).toMatch(/^bad command: getItem: index/);
    expect(refusal(bytes('{"type":"openSession","jobId":"j","path":"/home/x.aex"}'))).toMatch(
      /^bad command: in web mode a session is opened by uploading it/,
    );
  });
});
