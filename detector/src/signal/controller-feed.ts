// Signal-controller feed: a controller (or its gateway) publishes phase changes on Redis channel
// `signal:<cameraId>`; when a head has a feed, it overrides what vision reads from the lamps.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const SignalControllerMessageSchema = Type.Object(
  {
    signalHeadId: Type.String({ minLength: 1, description: 'Signal head id from the camera geometry.' }),
    round: Type.Union([Type.Literal('red'), Type.Literal('yellow'), Type.Literal('green'), Type.Literal('unknown')], {
      description: 'Colour the round light shows from `at` on.',
    }),
    arrowsLit: Type.Optional(Type.Array(Type.String(), { description: 'Ids of the green arrow lamps lit from `at` on.' })),
    at: Type.Optional(Type.String({ description: 'ISO time of the change (controller clock, synced); default: when received.' })),
  },
  { additionalProperties: false, description: 'One phase change of one signal head.' },
);
export type SignalControllerMessage = Static<typeof SignalControllerMessageSchema>;

export function signalChannel(cameraId: string, prefix = ''): string {
  return `${prefix}signal:${cameraId}`;
}

/** Parses a channel message; an error message instead when it is malformed. */
export function parseControllerMessage(
  text: string,
  receivedAtMs: number,
): { ok: true; message: SignalControllerMessage; atMs: number } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const first = Value.Errors(SignalControllerMessageSchema, json).First();
  if (first) return { ok: false, error: `${first.path || '/'}: ${first.message}` };
  const message = json as SignalControllerMessage;
  const atMs = message.at === undefined ? receivedAtMs : Date.parse(message.at);
  if (Number.isNaN(atMs)) return { ok: false, error: '/at: not an ISO time' };
  return { ok: true, message, atMs };
}
