import { Injectable, Logger } from '@nestjs/common';
import type { GapSubscription, SnapshotQuery } from '@warroom/contracts';
import { PushRooms, type PushViewer } from './push-rooms';
import { SocketViewer, type ViewerSocket } from './socket-viewer';

/** The views a `/live` viewer may subscribe to, each with its query: `subscribe` (the metrics) and `subscribe_gaps`. */
export interface PushQueries {
  metrics: SnapshotQuery;
  gaps: GapSubscription;
}
export type PushView = keyof PushQueries;

/** How a view's service subscribes a viewer: it sends what the viewer gets first, and returns the unsubscribe. */
export type Subscribe<V extends PushView> = (viewer: PushViewer, query: PushQueries[V]) => Promise<() => void>;

/** What a view's service tells the hub when it opens its view. */
export interface ViewServer<V extends PushView, State> {
  /** Viewers of queries with the same key share a room. */
  key: (query: PushQueries[V]) => string;
  /** A new room's state. */
  open: (query: PushQueries[V]) => State;
  subscribe: Subscribe<V>;
}

/**
 * A served view as the hub keeps it. A method, so that each view's `Subscribe<V>` fits one map; `serve` and
 * `subscribe` keep a view and its query type together.
 */
interface ServedView {
  subscribe(viewer: PushViewer, query: PushQueries[PushView]): Promise<() => void>;
}

/**
 * Where every push of the api goes through: each view's rooms (viewers grouped by query, one encoded frame
 * per room), the viewers of `/live`'s sockets (dropped when too slow), and the way from a subscription frame
 * to the service that serves its view. The gateway talks only to the hub; the live metrics and the gaps
 * open their view here and push through its rooms, so neither knows the other or the sockets.
 */
@Injectable()
export class PushHub {
  private readonly logger = new Logger(PushHub.name);
  private readonly served = new Map<PushView, ServedView>();

  /** Opens a view (once, by the service that serves it) and returns its rooms. */
  serve<V extends PushView, State>(view: V, server: ViewServer<V, State>): PushRooms<PushQueries[V], State> {
    if (this.served.has(view)) throw new Error(`the ${view} view is served already`);
    this.served.set(view, { subscribe: server.subscribe });
    return new PushRooms(server.key, server.open);
  }

  /** Subscribes `viewer` to `query` of `view`; resolves to the unsubscribe. */
  subscribe<V extends PushView>(view: V, viewer: PushViewer, query: PushQueries[V]): Promise<() => void> {
    const served = this.served.get(view);
    if (!served) return Promise.reject(new Error(`nothing serves the ${view} view in this process`));
    return served.subscribe(viewer, query);
  }

  /** A viewer on `socket`: frames go out asynchronously, and a viewer that falls behind is dropped. */
  viewerOn(socket: ViewerSocket): SocketViewer {
    return new SocketViewer(socket, (reason) => this.logger.warn(`Dropped a viewer: ${reason}`));
  }
}
