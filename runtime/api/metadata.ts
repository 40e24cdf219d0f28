/**
 * `Metadata` (version 2): the runtime's SCALE metadata (`runtime/metadata`),
 * as `OpaqueMetadata` (the `RuntimeMetadataPrefixed` bytes behind a length).
 *
 * @module
 */
import { t } from "../codec/types.ts";
import { METADATA_VERSIONS, metadataBytes, type MetadataVersion } from "../metadata/mod.ts";
import { method, type RuntimeApi, type RuntimeApiMetadata } from "./api.ts";

/** `Metadata`, listing `apis` (the table's, handed in so this file need not import it) in V15. */
export function metadataApi(apis: () => readonly RuntimeApiMetadata[]): RuntimeApi {
  return {
    api: "Metadata",
    version: 2,
    docs: "The `Metadata` api trait that returns metadata for the runtime.",
    methods: {
      metadata: method({
        inputs: {},
        output: t.bytes,
        docs: "Returns the metadata of a runtime (V14).",
        run: (host, state) => metadataBytes(host.executive.runtime, 14, state.reader, apis()),
      }),
      metadata_at_version: method({
        inputs: { version: t.u32 },
        output: t.option(t.bytes),
        docs: "Returns the metadata at a given version. If the given `version` isn't " +
          "supported, this will return `None`.",
        run: (host, state, { version }) =>
          METADATA_VERSIONS.includes(version as MetadataVersion)
            ? metadataBytes(
              host.executive.runtime,
              version as MetadataVersion,
              state.reader,
              apis(),
            )
            : undefined,
      }),
      metadata_versions: method({
        inputs: {},
        output: t.vec(t.u32),
        docs: "Returns the supported metadata versions.",
        run: () => [...METADATA_VERSIONS],
      }),
    },
  };
}
