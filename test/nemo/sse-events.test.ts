/** The SSE message interpreter and turn accumulator (pure); the wire itself is tested against the sim. */
import { describe, expect, it } from 'vitest';
import { dropTrailingNoise, interpretMessage, toQuestion, TurnAccumulator } from '../../src/nemo/sse-events.js';

const msg = (data: string, event?: string) => ({ data, event, id: undefined });
const adk = (parts: unknown[], extra: Record<string, unknown> = {}) =>
  msg(JSON.stringify({ content: { parts, role: 'model' }, author: 'nemo_agent', id: 'e1', invocationId: 'i1', ...extra }));

describe('interpretMessage', () => {
  it('recognises heartbeats in every form that reaches onEvent', () => {
    expect(interpretMessage(msg('', 'heartbeat'))).toEqual({ kind: 'heartbeat' });
    expect(interpretMessage(msg(''))).toEqual({ kind: 'heartbeat' });
    expect(interpretMessage(msg('{"type":"heartbeat"}'))).toEqual({ kind: 'heartbeat' });
    expect(interpretMessage(msg('ping'))).toEqual({ kind: 'heartbeat' });
  });
  it('maps ADK parts to text, tool calls and tool results', () => {
    const r = interpretMessage(adk([{ text: 'Hello ' }, { text: 'there' }, { functionCall: { id: 'c1', name: 'edit_multitrack', args: { a: 1 } } }]));
    expect(r).toEqual({
      kind: 'events',
      events: [
        { type: 'text', text: 'Hello there', author: 'nemo_agent' },
        { type: 'tool_call', name: 'edit_multitrack', id: 'c1', args: { a: 1 } },
      ],
    });
    const fr = interpretMessage(msg(JSON.stringify({ content: { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'edit_multitrack', response: { ok: true } } }] } })));
    expect(fr).toEqual({ kind: 'events', events: [{ type: 'tool_result', name: 'edit_multitrack', id: 'c1', response: { ok: true } }] });
  });
  it('turns ask_question into a question (strings and {id,label} options)', () => {
    const r = interpretMessage(adk([{ functionCall: { id: 'q1', name: 'ask_question', args: { question: 'Which style?', options: ['Cinematic', { id: 'b', label: 'Anime' }], allow_multiple: true } } }]));
    expect(r).toEqual({
      kind: 'events',
      events: [{ type: 'question', question: { id: 'q1', prompt: 'Which style?', options: [{ id: 'Cinematic', label: 'Cinematic' }, { id: 'b', label: 'Anime' }], allowMultiple: true } }],
    });
    expect(toQuestion({ prompt: 'Pick', options: [] })).toEqual({ prompt: 'Pick', options: [], allowMultiple: false });
  });
  it('recognises both stream error forms', () => {
    expect(interpretMessage(msg('{"error":"Agent execution failed"}'))).toEqual({ kind: 'error', message: 'Agent execution failed' });
    expect(interpretMessage(adk([{ text: 'Error: quota exceeded' }], { author: 'system' }))).toEqual({ kind: 'error', message: 'quota exceeded' });
  });
  it('reports garbage and skips thoughts and actions-only events', () => {
    expect(interpretMessage(msg('{not json')).kind).toBe('garbage');
    expect(interpretMessage(adk([{ text: 'thinking…', thought: true }]))).toEqual({ kind: 'events', events: [] });
    expect(interpretMessage(msg(JSON.stringify({ actions: { stateDelta: { a: 1 } }, id: 'x' })))).toEqual({ kind: 'events', events: [] });
  });
  it('accepts the v4.4 illustrative {type:"text"} shape', () => {
    expect(interpretMessage(msg('{"type":"text","content":"hi"}'))).toEqual({ kind: 'events', events: [{ type: 'text', text: 'hi' }] });
  });
});

describe('TurnAccumulator', () => {
  it('does not duplicate partial chunks once the final event arrives', () => {
    const acc = new TurnAccumulator();
    acc.add({ type: 'text', text: 'Hel', partial: true });
    acc.add({ type: 'text', text: 'lo', partial: true });
    acc.add({ type: 'text', text: 'Hello' });
    acc.add({ type: 'heartbeat' });
    expect(acc.finish()).toMatchObject({ text: 'Hello', silent: false, heartbeatCount: 1 });
  });
  it('keeps partial text when no final event came, and marks silence', () => {
    const acc = new TurnAccumulator();
    acc.add({ type: 'text', text: 'Hel', partial: true });
    acc.add({ type: 'text', text: 'lo', partial: true });
    expect(acc.finish().text).toBe('Hello');
    const silent = new TurnAccumulator();
    silent.add({ type: 'tool_call', name: 'edit_multitrack', args: {} });
    expect(silent.finish()).toMatchObject({ text: '', silent: true, toolCalls: ['edit_multitrack'] });
  });
  it('drops a trailing "temporary issue" after a normal reply only', () => {
    expect(dropTrailingNoise(['Done!', 'I encountered a temporary issue. Please try again.'])).toEqual(['Done!']);
    expect(dropTrailingNoise(['Done!\n\nI encountered a temporary issue, sorry.'])).toEqual(['Done!']);
    expect(dropTrailingNoise(['I encountered a temporary issue.'])).toEqual(['I encountered a temporary issue.']);
  });
});
