import type { API } from '@opensearch-project/opensearch';
import type { SearchConfig } from './config';
import { type ApiFunction, signedApi } from './signed-transport';
import type { SearchClientOptions } from './signing';

/**
 * The four security-plugin calls the search-security custom resource makes. The full `Client` has them too,
 * so either may be given to `SearchSecurity`.
 */
export interface SecurityClient {
  security: {
    createRole(params: API.Security_CreateRole_Request): Promise<API.Security_CreateRole_Response>;
    createRoleMapping(
      params: API.Security_CreateRoleMapping_Request,
    ): Promise<API.Security_CreateRoleMapping_Response>;
    deleteRole(params: API.Security_DeleteRole_Request): Promise<API.Security_DeleteRole_Response>;
    deleteRoleMapping(
      params: API.Security_DeleteRoleMapping_Request,
    ): Promise<API.Security_DeleteRoleMapping_Response>;
  };
}

// Each required by its literal path, so the bundle carries these four and no other.
const createRoleApi = require('@opensearch-project/opensearch/api/security/createRole.js') as ApiFunction<
  API.Security_CreateRole_Request,
  API.Security_CreateRole_Response
>;
const createRoleMappingApi =
  require('@opensearch-project/opensearch/api/security/createRoleMapping.js') as ApiFunction<
    API.Security_CreateRoleMapping_Request,
    API.Security_CreateRoleMapping_Response
  >;
const deleteRoleApi = require('@opensearch-project/opensearch/api/security/deleteRole.js') as ApiFunction<
  API.Security_DeleteRole_Request,
  API.Security_DeleteRole_Response
>;
const deleteRoleMappingApi =
  require('@opensearch-project/opensearch/api/security/deleteRoleMapping.js') as ApiFunction<
    API.Security_DeleteRoleMapping_Request,
    API.Security_DeleteRoleMapping_Response
  >;

/** The custom resource's OpenSearch client: the official client's API functions for its four calls, signed. */
export function createSecurityClient(
  config: Pick<SearchConfig, 'endpoint' | 'service' | 'region'>,
  options: SearchClientOptions = {},
): SecurityClient {
  const call = signedApi(config, options);
  return {
    security: {
      createRole: call(createRoleApi),
      createRoleMapping: call(createRoleMappingApi),
      deleteRole: call(deleteRoleApi),
      deleteRoleMapping: call(deleteRoleMappingApi),
    },
  };
}
