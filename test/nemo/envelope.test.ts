/** Envelope unwrapping and error classification (pure); the same rules are exercised end to end against the sim. */
import { describe, expect, it } from 'vitest';
import { classify, messageOf, unwrapEnvelope } from '../../src/nemo/envelope.js';

describe('unwrapEnvelope', () => {
  it('reads both envelopes and bare data', () => {
    expect(unwrapEnvelope({ code: 0, data: { a: 1 } })).toEqual({ ok: true, data: { a: 1 } });
    expect(unwrapEnvelope({ code: '0', data: 1 })).toEqual({ ok: true, data: 1 });
    expect(unwrapEnvelope({ code: 2001, msg: 'no credits' })).toEqual({ ok: false, code: 2001, message: 'no credits' });
    expect(unwrapEnvelope({ success: true, data: { id: 'r' } })).toEqual({ ok: true, data: { id: 'r' } });
    expect(unwrapEnvelope({ success: false, error: 'duplicate render id', code: 409 })).toEqual({ ok: false, code: 409, message: 'duplicate render id' });
    expect(unwrapEnvelope({ status: 'completed', output: { url: 'u' } })).toEqual({ ok: true, data: { status: 'completed', output: { url: 'u' } } });
  });
  it('finds the message in message, msg, detail or error', () => {
    expect(messageOf({ message: 'a' })).toBe('a');
    expect(messageOf({ msg: 'b' })).toBe('b');
    expect(messageOf({ detail: 'Session not found' })).toBe('Session not found');
    expect(messageOf({ detail: [{ msg: 'field required' }] })).toBe('field required');
    expect(messageOf({ error: { message: 'c' } })).toBe('c');
  });
});

describe('classify', () => {
  const kind = (...a: Parameters<typeof classify>) => classify(...a).kind;
  it('maps the error table (codes win, codes that are statuses count as statuses)', () => {
    expect(kind('state', 200, 1001, 'x')).toBe('auth');
    expect(kind('state', 200, 1010, undefined)).toBe('auth');
    expect(kind('state', 200, 1011, undefined)).toBe('auth');
    expect(kind('state', 401, undefined, undefined)).toBe('auth');
    expect(kind('state', 404, 1002, undefined)).toBe('session_lost');
    expect(kind('run_sse', 404, undefined, 'Session not found')).toBe('session_lost');
    expect(kind('run_sse', 200, 2001, undefined)).toBe('no_credits');
    expect(kind('upload', 400, 4001, undefined)).toBe('unsupported_file');
    expect(kind('upload', 413, 4002, undefined)).toBe('file_too_large');
    expect(kind('render_start', 402, undefined, undefined)).toBe('plan_blocked');
    expect(kind('render_start', 200, 402, undefined)).toBe('plan_blocked');
    expect(kind('anonymous_token', 429, 429, undefined)).toBe('token_quota');
    expect(kind('anonymous_token', 400, 400, undefined)).toBe('missing_client_id');
    expect(kind('state', 403, undefined, undefined)).toBe('forbidden');
    expect(kind('render_poll', 404, undefined, 'Render not found')).toBe('render_not_found');
  });
  it('marks 5xx retryable and unknown 4xx not', () => {
    const e5 = classify('credits', 503, undefined, 'down');
    expect([e5.kind, e5.retryable]).toEqual(['backend', true]);
    const e4 = classify('credits', 400, 9999, 'weird');
    expect([e4.kind, e4.retryable]).toEqual(['backend', false]);
  });
  it('scrubs tokens out of backend messages', () => {
    const e = classify('state', 500, undefined, 'bad token nmv_usr_abcdef123456');
    expect(e.message).not.toContain('nmv_usr_abcdef123456');
    expect(e.details.backendMessage).not.toContain('nmv_usr_abcdef123456');
  });
});
