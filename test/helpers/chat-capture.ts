/**
 * Chat messages into the secrets capture (test/setup/capture.mjs): the recording outbox and the fake
 * platforms call this for every text they are asked to show, so the check covers what users see.
 */
export function noteChat(text: string | undefined): void {
  if (text) (globalThis as { __nemoCapture?: { note(kind: string, text: string): void } }).__nemoCapture?.note('chat', text);
}
