export interface SessionConf {
  secret: string;
  storage: 'cookie' | 'kong';
  audience: string;
  idling_timeout: number;
  rolling_timeout: number;
  absolute_timeout: number;
  stale_ttl: number;
  cookie_name: string;
  cookie_path: string;
  cookie_domain: string | null;
  cookie_same_site: 'Strict' | 'Lax' | 'None' | 'Default';
  cookie_http_only: boolean;
  cookie_secure: boolean;
  remember: boolean;
  remember_cookie_name: string;
  remember_rolling_timeout: number;
  remember_absolute_timeout: number;
  response_headers: string[] | null;
  request_headers: string[] | null;
  read_body_for_logout: boolean;
  logout_methods: string[] | null;
  logout_query_arg: string | null;
  logout_post_arg: string | null;
  hash_subject: boolean;
  store_metadata: boolean;
  /** Derived once from the secret. */
  key: Buffer;
}
