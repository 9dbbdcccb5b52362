/**
 * SSE message → our `TurnEvent`s, and the accumulator that turns a stream of them into a `TurnResult`.
 *
 * Pure (no I/O) so every wire variant is unit-testable: Google ADK Event JSON (camelCase,
 * `content.parts[]` with `text` / `functionCall` / `functionResponse`), the four heartbeat forms, both
 * stream-error forms (older ADK `{"error":…}`, newer ADK `author:"system"` + `Error: …`), and the
 * illustrative v4.4 `{type,…}` shapes, which we accept rather than drop (nemo-api.md §2.4, §8.1).
 */
import type { EventSourceMessage } from 'eventsource-parser';
import type { AgentQuestion, QuestionOption, TurnEvent, TurnResult } from './types.js';

export type ParsedMessage =
  | { kind: 'heartbeat' }
  | { kind: 'events'; events: TurnEvent[] }
  | { kind: 'error'; message: string; /** A business code carried by the error event (2001 mid-stream). */ code?: number }
  | { kind: 'garbage'; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const HEARTBEAT_TYPES = new Set(['heartbeat', 'ping', 'keepalive', 'keep-alive', 'keep_alive']);

/** `ask_question` arguments → AgentQuestion (options may be strings or `{id,label}` objects). */
export function toQuestion(args: unknown, callId?: string): AgentQuestion {
  const a = isRecord(args) ? args : {};
  const rawOptions = Array.isArray(a.options) ? a.options : Array.isArray(a.choices) ? a.choices : [];
  const options: QuestionOption[] = [];
  rawOptions.forEach((o, i) => {
    if (typeof o === 'string' || typeof o === 'number') options.push({ id: String(o), label: String(o) });
    else if (isRecord(o)) {
      const label = str(o.label) ?? str(o.text) ?? str(o.title) ?? str(o.value) ?? str(o.id);
      if (label) options.push({ id: str(o.id) ?? str(o.value) ?? String(i + 1), label });
    }
  });
  const prompt = str(a.question) ?? str(a.prompt) ?? str(a.text) ?? str(a.message) ?? '';
  const allowMultiple = a.allow_multiple === true || a.allowMultiple === true || a.multiple === true || a.multi_select === true;
  return { id: str(a.id) ?? callId, prompt, options, allowMultiple };
}

function errorText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isRecord(v)) return str(v.message) ?? str(v.error) ?? JSON.stringify(v).slice(0, 300);
  return String(v);
}

/** A numeric business code in an error event: `code`, `error.code` or ADK's `errorCode` ("2001"). */
function codeOf(obj: Record<string, unknown>): number | undefined {
  for (const v of [obj.code, isRecord(obj.error) ? obj.error.code : undefined, obj.errorCode, obj.error_code]) {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^\d{3,5}$/.test(v.trim())) return Number(v);
  }
  return undefined;
}

/** One ADK Event object → events, an error, or nothing we know. */
export function interpretEventObject(obj: unknown): ParsedMessage {
  const parsed = interpretEventObjectInner(obj);
  if (parsed.kind !== 'error' || !isRecord(obj)) return parsed;
  const code = codeOf(obj);
  return code === undefined ? parsed : { ...parsed, code };
}

function interpretEventObjectInner(obj: unknown): ParsedMessage {
  if (!isRecord(obj)) return { kind: 'garbage', reason: `JSON ${Array.isArray(obj) ? 'array' : typeof obj}` };
  const type = str(obj.type)?.toLowerCase();
  if (type && HEARTBEAT_TYPES.has(type)) return { kind: 'heartbeat' };
  if (obj.error !== undefined && obj.error !== null && obj.error !== false) return { kind: 'error', message: errorText(obj.error) };
  if (type === 'error') return { kind: 'error', message: errorText(obj.message ?? obj.content ?? 'stream error') };
  const author = str(obj.author);
  const partial = obj.partial === true;
  const content = isRecord(obj.content) ? obj.content : undefined;
  const parts = content && Array.isArray(content.parts) ? content.parts : undefined;
  if (parts) {
    const events: TurnEvent[] = [];
    const texts: string[] = [];
    const fromUser = content?.role === 'user';
    for (const part of parts) {
      if (!isRecord(part)) continue;
      if (typeof part.text === 'string' && part.thought !== true && !fromUser) texts.push(part.text);
      const fc = isRecord(part.functionCall) ? part.functionCall : isRecord(part.function_call) ? part.function_call : undefined;
      if (fc) {
        const name = str(fc.name) ?? 'unknown';
        if (name === 'ask_question') events.push({ type: 'question', question: toQuestion(fc.args, str(fc.id)) });
        else events.push({ type: 'tool_call', name, id: str(fc.id), args: fc.args });
      }
      const fr = isRecord(part.functionResponse) ? part.functionResponse : isRecord(part.function_response) ? part.function_response : undefined;
      if (fr) events.push({ type: 'tool_result', name: str(fr.name) ?? 'unknown', id: str(fr.id), response: fr.response });
    }
    const text = texts.join('');
    if (author === 'system' && /^\s*Error\s*:/i.test(text)) return { kind: 'error', message: text.replace(/^\s*Error\s*:\s*/i, '') };
    if (text !== '') events.unshift({ type: 'text', text, ...(author ? { author } : {}), ...(partial ? { partial } : {}) });
    return { kind: 'events', events };
  }
  // ADK model errors come as errorCode/errorMessage with no content.
  if (str(obj.errorCode) || str(obj.errorMessage)) return { kind: 'error', message: `${str(obj.errorCode) ?? 'error'}: ${str(obj.errorMessage) ?? ''}`.trim() };
  // v4.4's illustrative `{type:"text",content:"…"}` / `{type:"tool_call",…}` shapes.
  if (type === 'text' && (typeof obj.content === 'string' || typeof obj.text === 'string')) {
    const text = String(obj.content ?? obj.text);
    if (author === 'system' && /^\s*Error\s*:/i.test(text)) return { kind: 'error', message: text.replace(/^\s*Error\s*:\s*/i, '') };
    return { kind: 'events', events: text ? [{ type: 'text', text, ...(partial ? { partial } : {}) }] : [] };
  }
  if (type === 'tool_call' || type === 'function_call') {
    const name = str(obj.name) ?? str(obj.tool) ?? 'unknown';
    const args = obj.args ?? obj.arguments;
    return { kind: 'events', events: [name === 'ask_question' ? { type: 'question', question: toQuestion(args) } : { type: 'tool_call', name, args }] };
  }
  if (type === 'tool_result' || type === 'function_response') {
    return { kind: 'events', events: [{ type: 'tool_result', name: str(obj.name) ?? str(obj.tool) ?? 'unknown', response: obj.result ?? obj.response }] };
  }
  // Actions-only ADK events (state deltas, agent transfers) and anything else: progress, nothing to show.
  return { kind: 'events', events: [] };
}

/** One SSE message (after eventsource-parser) → what it means. */
export function interpretMessage(msg: EventSourceMessage): ParsedMessage {
  const ev = msg.event?.toLowerCase();
  if (ev && HEARTBEAT_TYPES.has(ev)) return { kind: 'heartbeat' };
  const data = msg.data.trim();
  if (data === '') return { kind: 'heartbeat' };
  if (ev === 'error') {
    try {
      return { kind: 'error', message: errorText((JSON.parse(data) as Record<string, unknown>)?.error ?? JSON.parse(data)) };
    } catch {
      return { kind: 'error', message: data.slice(0, 300) };
    }
  }
  if (HEARTBEAT_TYPES.has(data.toLowerCase())) return { kind: 'heartbeat' };
  if (data === '[DONE]') return { kind: 'events', events: [] };
  let obj: unknown;
  try {
    obj = JSON.parse(data);
  } catch {
    return { kind: 'garbage', reason: `not JSON (${data.length} chars)` };
  }
  return interpretEventObject(obj);
}

const TEMPORARY_ISSUE = /^\s*I encountered a temporary issue/i;

/**
 * Drop a trailing "I encountered a temporary issue…" that follows a normal reply (skill: noise).
 * Alone, it is the only thing the agent said and is kept.
 */
export function dropTrailingNoise(segments: string[]): string[] {
  const out = segments.map((s) => s.trim()).filter((s) => s !== '');
  while (out.length > 1 && TEMPORARY_ISSUE.test(out[out.length - 1]!)) out.pop();
  const last = out[out.length - 1];
  if (last !== undefined) {
    const m = /\n\s*I encountered a temporary issue[\s\S]*$/i.exec(last);
    if (m && m.index > 0) out[out.length - 1] = last.slice(0, m.index).trimEnd();
  }
  return out;
}

/** Collects events of one turn. Partial chunks are replaced by the final aggregate (no duplicates). */
export class TurnAccumulator {
  private finals: string[] = [];
  private pending = '';
  private toolCalls: string[] = [];
  private question?: AgentQuestion;
  eventCount = 0;
  heartbeatCount = 0;

  add(e: TurnEvent): void {
    if (e.type === 'heartbeat') {
      this.heartbeatCount++;
      return;
    }
    if (e.type === 'text') {
      if (e.partial) this.pending += e.text;
      else {
        this.pending = '';
        this.finals.push(e.text);
      }
    } else if (e.type === 'tool_call') this.toolCalls.push(e.name);
    else if (e.type === 'question') {
      this.toolCalls.push('ask_question');
      this.question = e.question;
    }
  }

  /** Count a non-heartbeat SSE message (also ones that carried nothing we show). */
  countMessage(): void {
    this.eventCount++;
  }

  finish(): TurnResult {
    const segments = this.pending ? [...this.finals, this.pending] : this.finals;
    const text = dropTrailingNoise(segments).join('\n\n');
    return {
      text,
      silent: text === '',
      ...(this.question ? { question: this.question } : {}),
      toolCalls: [...this.toolCalls],
      eventCount: this.eventCount,
      heartbeatCount: this.heartbeatCount,
    };
  }
}
