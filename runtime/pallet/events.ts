/**
 * Pallet events: declared once, deposited by calls and hooks, recorded in
 * `System.Events` with the phase they happened in.
 *
 * @module
 */
import type { Type, TypeDesc, ValueOf, Writer } from "../codec/types.ts";
import { t } from "../codec/types.ts";

/** An event as a pallet deposits it; the runtime adds the pallet index. */
export interface PalletEvent {
  readonly pallet: string;
  readonly name: string;
  readonly index: number;
  readonly data: Record<string, unknown>;
  /** Writes the event's fields (not its index). */
  encodeData(w: Writer): void;
}

/** What metadata lists for one event. */
export interface EventMeta {
  name: string;
  index: number;
  fields: { name: string; type: TypeDesc }[];
  docs: string;
}

/** A declared event: its fields' types and docs. */
export interface EventSpec<F extends Record<string, Type<unknown>>> {
  fields: F;
  docs: string;
}

type EventFactories<S extends Record<string, EventSpec<Record<string, Type<unknown>>>>> = {
  readonly [K in keyof S]: (
    data: { [F in keyof S[K]["fields"]]: ValueOf<S[K]["fields"][F]> },
  ) => PalletEvent;
};

/** A pallet's declared events: a factory per event, their metadata and their SCALE type. */
export type DeclaredEvents<S extends Record<string, EventSpec<Record<string, Type<unknown>>>>> =
  & EventFactories<S>
  & { readonly meta: EventMeta[]; readonly type: Type<{ tag: string; value: unknown }> };

/**
 * Declares a pallet's events, indexed in declaration order.
 *
 * @example
 * ```ts
 * import { defineEvents } from "./events.ts";
 * import { t } from "../codec/types.ts";
 * const events = defineEvents("Template", {
 *   SomethingStored: { fields: { something: t.u32, who: t.accountId }, docs: "A value was stored." },
 * });
 * const e = events.SomethingStored({ something: 7, who: new Uint8Array(32) });
 * if (e.index !== 0 || e.data.something !== 7) throw new Error("event");
 * ```
 */
export function defineEvents<S extends Record<string, EventSpec<Record<string, Type<unknown>>>>>(
  pallet: string,
  specs: S,
): DeclaredEvents<S> {
  const meta: EventMeta[] = [];
  const variants: Record<string, Type<unknown>> = {};
  const out: Record<string, unknown> = { meta };
  Object.entries(specs).forEach(([name, spec], index) => {
    const fields = Object.entries(spec.fields);
    const struct = t.struct(`${pallet}.${name}`, spec.fields);
    variants[name] = struct;
    meta.push({
      name,
      index,
      fields: fields.map(([field, type]) => ({ name: field, type: type.desc })),
      docs: spec.docs,
    });
    out[name] = (data: Record<string, unknown>): PalletEvent => ({
      pallet,
      name,
      index,
      data,
      encodeData: (w) => struct.encodeTo(w, data as never),
    });
  });
  out.type = t.enum(`${pallet}.Event`, variants);
  return out as DeclaredEvents<S>;
}
