import type { Product } from '../context/dsn.js';

// Route, match and request-body shapes shared by the route tables, gin matching and
// Distribute's model derivation (see routes.ts for the sources).

export type Profile = Product;

/** Where the model that selects the channel comes from. */
export type ModelSource =
  /** A constant, possibly set by a converter in front of TokenAuth (`via`). */
  | { kind: 'fixed'; model: string; via?: string }
  /** The request body's `model` (JSON; `forms`: form and multipart bodies too). */
  | {
      kind: 'json-body';
      default?: string;
      /** Appended to a non-empty model (NA-main /v1/responses/compact). */
      suffix?: string;
      /** Route parameter used when the body has no model (`/v1/engines/:model/embeddings`). */
      fallbackParam?: string;
      /** Body fields read, in order, when not `model` (converters: Kling model_name, Jimeng req_key). */
      fields?: string[];
      forms?: boolean;
      via?: string;
    }
  /** A form or multipart field (JSON bodies are read too), with a default. */
  | { kind: 'form-field'; field: string; default?: string }
  /** The path segment after /models/ and before ':' (`/v1beta/models/{m}:action`). */
  | { kind: 'path-segment' }
  | { kind: 'query'; param: string }
  /** `mj_<action>` (or `swap_face`) from the Midjourney path and body. */
  | { kind: 'midjourney' }
  /** `suno_<action>` from the `:action` route parameter (upstream new-api). */
  | { kind: 'suno-action' }
  /** The part of `:param` before ':' when it starts with `prefix`, else `default` (BF GET /v1/videos/:id). */
  | { kind: 'id-prefix-or-default'; param: string; prefix: string; default: string }
  /** Multipart field, else `default`; a JSON body's `model` otherwise (BF POST /v1/videos). */
  | { kind: 'multipart-or-default'; field: string; default: string }
  /** No channel is selected by model (no Distribute, a task fetch, a pinned channel). */
  | { kind: 'none'; reason?: string }
  /** A channel must be selected but nothing names the model (BF GET /feed/:id). */
  | { kind: 'unresolvable'; reason: string };

export interface RouteDef {
  /** gin pattern, e.g. '/runwayml/*path', '/suno/fetch/:id'. */
  pattern: string;
  methods: string[] | 'ANY';
  /** Route middleware in order, handler excluded; global middleware (CORS, request id) omitted. */
  chain: string[];
  handler: string;
  model: ModelSource;
  /** Reaches RelayBltcy directly, or through RelayTask when the selected channel has type 55. */
  passthrough: boolean;
  /** Channel types the handler is written for. */
  expectsChannelType?: number[];
  /** Code date the route appeared in the profile's relay. */
  since?: string;
  note?: string;
}

/** Operator-defined passthrough prefix of a modified fork (config file entry). */
export interface CustomRoute {
  prefix: string;
  model: string;
  handler?: string;
}

export interface RouteMatch {
  matched: RouteDef | undefined;
  params: Record<string, string>;
  /** Routing model as Distribute holds it (undefined when empty or when Distribute does not run). */
  model?: string;
  modelSource: ModelSource;
  /** Distribute selects a channel by (group, model) for this request. */
  selectsChannel: boolean;
  /** Why the relay rejects the request before or while deriving the model. */
  modelProblem?: string;
  problemStatus?: number;
  /** The same answer in other builds or languages of the profile. */
  problemVariants?: string[];
  /** RB §9: what NoRoute answers when nothing matched and no redirect applies. */
  unmatchedAnswer?: 'html-200' | 'json-404';
  /** Body message of the 404 answer. */
  notFoundMessage?: string;
  trailingSlash?: { redirectTo: string; status: 301 | 307 };
  /** The path exists for other methods only; gin falls through to NoRoute (no 405). */
  methodNotRegistered?: boolean;
  /** OPTIONS: the CORS middleware answers 204 before any route runs (when an Origin is sent). */
  preflight?: boolean;
}

export const GIN_ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'TRACE'];

export interface RouteBody {
  /** Parsed JSON body. */
  json?: unknown;
  /** Raw body text, read as JSON when the Content-Type says so; wins over `json`. */
  text?: string;
  /** The caller's own JSON.parse failure; only used when `text` is absent. */
  parseError?: string;
  /** Form or multipart fields (a repeated field as an array). */
  form?: Record<string, string | string[]>;
  /** Content-Type header; defaults to application/json with json/text, multipart/form-data with form, '' otherwise. */
  contentType?: string;
}


// ModelSource shorthands used by the tables and by the derivation.
export const NONE = (reason?: string): ModelSource => (reason ? { kind: 'none', reason } : { kind: 'none' });
export const FIXED = (model: string, via?: string): ModelSource => (via ? { kind: 'fixed', model, via } : { kind: 'fixed', model });
export const BODY: ModelSource = { kind: 'json-body' };
