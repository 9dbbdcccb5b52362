/** Status references read back from Redis go through zod: anything malformed counts as absent. */
import { describe, expect, it } from 'vitest';
import { parseMessageRef } from '../../src/core/status-ref.js';

describe('parseMessageRef', () => {
  it('accepts a stored reference and refuses anything else', () => {
    expect(parseMessageRef(JSON.stringify({ chatId: '-100', messageId: '42' }))).toEqual({ chatId: '-100', messageId: '42' });
    expect(parseMessageRef(null)).toBeUndefined();
    expect(parseMessageRef('not json')).toBeUndefined();
    expect(parseMessageRef(JSON.stringify({ chatId: '-100' }))).toBeUndefined();
    expect(parseMessageRef(JSON.stringify({ chatId: -100, messageId: 42 }))).toBeUndefined();
    expect(parseMessageRef(JSON.stringify({ chatId: '', messageId: '1' }))).toBeUndefined();
  });
});
