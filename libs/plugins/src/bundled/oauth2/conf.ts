export interface OAuth2Conf {
  scopes: string[] | null;
  mandatory_scope: boolean;
  provision_key: string;
  token_expiration: number;
  enable_authorization_code: boolean;
  enable_implicit_grant: boolean;
  enable_client_credentials: boolean;
  enable_password_grant: boolean;
  hide_credentials: boolean;
  accept_http_if_already_terminated: boolean;
  anonymous: string | null;
  global_credentials: boolean;
  auth_header_name: string;
  refresh_token_ttl: number;
  reuse_refresh_token: boolean;
  pkce: 'none' | 'lax' | 'strict';
  realm: string | null;
  /** The plugin entity's id (authorization codes remember it). */
  pluginId: string;
}

export type ErrorBody = { error: string; error_description: string };
export const fail = (error: string, error_description: string): ErrorBody => ({ error, error_description });
