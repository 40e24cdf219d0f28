/**
 * The node's version, as `system_version` reports it: the release and the
 * runtime it carries.
 *
 * @module
 */
import { runtime } from "../runtime/mod.ts";

/** The node's version, as `system_version` reports it. */
export const NODE_VERSION = `0.1.0-${runtime.version.specName}-${runtime.version.specVersion}`;
