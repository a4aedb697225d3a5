// Where an entry's events go. Only to the node's configured edge: an assignment whose callback is
// anywhere else is refused (whoever could steer the edge's callback URL, for instance through a
// forged Host header, must not make this node post signed events, finished text included, to an
// address of their choice). Resumed work reports to the edge configured now, not to the one that
// assigned it before a restart.
import { edgeRoutes } from "../../shared/api/node-protocol.ts";

/** The node has no configured edge (OPUS_EDGE_URL): it cannot tell a real callback from a forged one. */
export class NoEdgeConfigured extends Error {
  constructor() {
    super("this node has no edge configured (OPUS_EDGE_URL, or edge.url in opus.config.json), so it accepts no entries");
    this.name = "NoEdgeConfigured";
  }
}

/** The callback is not the configured edge's event route for this entry. */
export class CallbackRefused extends Error {
  readonly field = "callback_url";
  constructor(callback: string, edgeUrl: string) {
    super(`callback_url ${callback.slice(0, 200)} is not this node's edge (${edgeUrl}): the node reports only to its configured edge`);
    this.name = "CallbackRefused";
  }
}

/** The event route of entry `id` on the edge at `edgeUrl` (a base URL, possibly with a path). */
function eventsPath(edgeUrl: string, id: string): string {
  return `${new URL(edgeUrl).pathname.replace(/\/+$/, "")}${edgeRoutes.events(id)}`;
}

/** Throws unless `callback` is entry `id`'s event route on the edge at `edgeUrl`. */
export function checkCallback(callback: string, id: string, edgeUrl: string | undefined): void {
  if (!edgeUrl) throw new NoEdgeConfigured();
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    throw new CallbackRefused(callback, edgeUrl);
  }
  const edge = new URL(edgeUrl);
  if (url.origin !== edge.origin || url.pathname !== eventsPath(edgeUrl, id) || url.username || url.password) throw new CallbackRefused(callback, edgeUrl);
}

/**
 * Where a resumed entry reports now: the configured edge's event route for it, keeping the query of
 * the callback it was assigned with (the edge names its assignee there, `?node=`).
 */
export function callbackOnEdge(stored: string, id: string, edgeUrl: string): string {
  let search = "";
  try {
    search = new URL(stored).search;
  } catch {
    search = "";
  }
  return `${new URL(edgeUrl).origin}${eventsPath(edgeUrl, id)}${search}`;
}
