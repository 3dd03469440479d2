import type { Reply } from './opensearch';

/**
 * The part of OpenSearch's security plugin REST API (`/_plugins/_security/api`) that the search-security
 * custom resource calls, with the plugin's status codes and bodies (docs.opensearch.org, Security APIs):
 *
 *   PUT    roles/<name>          201 {"status":"CREATED","message":"'<name>' created."}, 200 "... updated."
 *   GET    roles/<name>          200 {"<name>": {...role}}
 *   DELETE roles/<name>          200 {"status":"OK","message":"'<name>' deleted."}
 *   PUT|GET|DELETE rolesmapping/<name>   the same; a mapping needs its role to exist
 *
 * A missing name is 404 NOT_FOUND; a reserved role (`all_access`, `security_manager` on a managed domain)
 * is 403 FORBIDDEN; a body with unknown keys or wrong types is 400 with the plugin's `invalid_keys` /
 * `wrong_datatypes` report. A PUT replaces the whole role or mapping, as the plugin does.
 */
const ROLE_KEYS: Record<string, 'array' | 'string'> = {
  description: 'string',
  cluster_permissions: 'array',
  index_permissions: 'array',
  tenant_permissions: 'array',
};
const MAPPING_KEYS: Record<string, 'array' | 'string'> = {
  description: 'string',
  backend_roles: 'array',
  and_backend_roles: 'array',
  hosts: 'array',
  users: 'array',
};
const RESERVED_ROLES = new Set(['all_access', 'security_manager']);

type Entry = Record<string, unknown>;

export class SecurityApi {
  readonly roles = new Map<string, Entry>([...RESERVED_ROLES].map((name) => [name, reservedRole()]));
  readonly mappings = new Map<string, Entry>();

  route(method: string, segments: string[], body: unknown): Reply {
    const [api, kind, name] = segments;
    if (api !== 'api' || (kind !== 'roles' && kind !== 'rolesmapping') || !name || segments.length !== 3) {
      return status(
        400,
        'BAD_REQUEST',
        `no handler found for uri [/_plugins/_security/${segments.join('/')}]`,
      );
    }
    if (kind === 'roles' && method !== 'GET' && RESERVED_ROLES.has(name)) {
      return status(403, 'FORBIDDEN', `Resource '${name}' is reserved.`);
    }
    const store = kind === 'roles' ? this.roles : this.mappings;
    switch (method) {
      case 'GET': {
        const entry = store.get(name);
        return entry
          ? { status: 200, body: { [name]: entry } }
          : status(404, 'NOT_FOUND', `'${name}' not found.`);
      }
      case 'DELETE':
        if (!store.delete(name)) return status(404, 'NOT_FOUND', `'${name}' not found.`);
        return status(200, 'OK', `'${name}' deleted.`);
      case 'PUT': {
        const invalid = validate(body, kind === 'roles' ? ROLE_KEYS : MAPPING_KEYS);
        if (invalid) return invalid;
        if (kind === 'rolesmapping' && !this.roles.has(name)) {
          return status(404, 'NOT_FOUND', `Role '${name}' is not available for role-mapping.`);
        }
        const existed = store.has(name);
        store.set(name, kind === 'roles' ? role(body as Entry) : mapping(body as Entry));
        return existed
          ? status(200, 'OK', `'${name}' updated.`)
          : status(201, 'CREATED', `'${name}' created.`);
      }
      default:
        return status(405, 'METHOD_NOT_ALLOWED', `${method} is not supported`);
    }
  }
}

function validate(body: unknown, keys: Record<string, 'array' | 'string'>): Reply | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return status(400, 'BAD_REQUEST', 'Request body required for this action.');
  }
  const unknown = Object.keys(body).filter((key) => !(key in keys));
  if (unknown.length > 0) {
    return {
      status: 400,
      body: { status: 'error', reason: 'Invalid configuration', invalid_keys: { keys: unknown.join(',') } },
    };
  }
  const wrong = Object.entries(body).filter(([key, value]) =>
    keys[key] === 'array' ? !Array.isArray(value) : typeof value !== 'string',
  );
  if (wrong.length > 0) {
    const wrongTypes = Object.fromEntries(
      wrong.map(([key]) => [key, keys[key] === 'array' ? 'Array expected' : 'String expected']),
    );
    return { status: 400, body: { status: 'error', reason: 'Wrong datatype', wrong_datatypes: wrongTypes } };
  }
  return undefined;
}

/** A role as GET returns it: every field present, defaults filled in. */
function role(body: Entry): Entry {
  const indexPermissions = (body.index_permissions ?? []) as Entry[];
  return {
    reserved: false,
    hidden: false,
    ...(body.description === undefined ? {} : { description: body.description }),
    cluster_permissions: body.cluster_permissions ?? [],
    index_permissions: indexPermissions.map((permission) => ({
      index_patterns: [],
      fls: [],
      masked_fields: [],
      allowed_actions: [],
      ...permission,
    })),
    tenant_permissions: body.tenant_permissions ?? [],
    static: false,
  };
}

function mapping(body: Entry): Entry {
  return {
    hosts: body.hosts ?? [],
    users: body.users ?? [],
    reserved: false,
    hidden: false,
    backend_roles: body.backend_roles ?? [],
    and_backend_roles: body.and_backend_roles ?? [],
    ...(body.description === undefined ? {} : { description: body.description }),
  };
}

function reservedRole(): Entry {
  return {
    ...role({
      cluster_permissions: ['*'],
      index_permissions: [{ index_patterns: ['*'], allowed_actions: ['*'] }],
    }),
    reserved: true,
  };
}

function status(code: number, name: string, message: string): Reply {
  return { status: code, body: { status: name, message } };
}
