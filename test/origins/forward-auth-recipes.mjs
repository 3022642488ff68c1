// The forward-auth recipes of docs/forward-auth.md, as the tests run them: nginx (auth_request)
// and Caddy 2.6 (forward_auth written out by hand) in front of php-fpm, each asking the gateway
// (self-hosted on workerd) about every request. The docs show these same blocks with the values
// filled in; test/origins/forward-auth.test.ts checks what they let through.

/** The identity headers the gateway's 200 answers always carry (empty when unset), as nginx variable suffixes and header names. */
export const COPIED = [
  ['x_auth_session_status', 'X-Auth-Session-Status'],
  ['x_auth_token_type', 'X-Auth-Token-Type'],
  ['x_auth_user_id', 'X-Auth-User-Id'],
  ['x_auth_session_id', 'X-Auth-Session-Id'],
  ['x_auth_org_id', 'X-Auth-Org-Id'],
  ['x_auth_org_role', 'X-Auth-Org-Role'],
  ['x_auth_org_slug', 'X-Auth-Org-Slug'],
  ['x_auth_org_permissions', 'X-Auth-Org-Permissions'],
  ['x_auth_subject', 'X-Auth-Subject'],
  ['x_auth_client_id', 'X-Auth-Client-Id'],
  ['x_auth_scopes', 'X-Auth-Scopes'],
  ['x_auth_assertion', 'X-Auth-Assertion'],
];

/**
 * nginx: `auth_request` for the whole server (the auth location and the named 401 location turn it
 * off); the gateway's identity headers, and its Cookie header, are set as FastCGI params, which
 * replace any client header of the same name (nginx already drops names with `_` or `.`); a 401
 * with `Location` (the gateway's redirects, `?proxy=nginx`) becomes that redirect.
 * `server`: the lines of the server block that serve the app (root, index, locations but `~ \.php$`'s params).
 */
/** How many of the gateway's `X-Auth-Set-Cookie-<n>` the nginx recipe copies (src/forward-auth/forward-auth.ts NGINX_SET_COOKIE_SLOTS). */
export const SET_COOKIE_SLOTS = 8;

export function nginxServer({ listen, gateway, secret, root, fastcgiPass, extraParams = [] }) {
  const slots = Array.from({ length: SET_COOKIE_SLOTS }, (_, i) => i + 1);
  const sets = COPIED.map(([v]) => `    auth_request_set $auth_${v.slice(7)} $upstream_http_${v};`).join('\n');
  const params = COPIED.map(([v]) => `      fastcgi_param HTTP_${v.toUpperCase()} $auth_${v.slice(7)};`).join('\n');
  return `  server {
    listen ${listen};
    root ${root};
    index index.php;

    # Every request asks the gateway first.
    auth_request /__gateway_forward_auth;
${sets}
    auth_request_set $auth_cookie $upstream_http_x_auth_cookie;
    auth_request_set $auth_location $upstream_http_location;
    auth_request_set $auth_redirect_status $upstream_http_x_auth_redirect_status;
    auth_request_set $auth_reason $upstream_http_x_auth_reason;
${slots.map((n) => `    auth_request_set $auth_set_cookie_${n} $upstream_http_x_auth_set_cookie_${n};`).join('\n')}
    error_page 401 = @gateway_401;

    location = /__gateway_forward_auth {
      internal;
      auth_request off;
      proxy_pass ${gateway}/__gateway/forward-auth?proxy=nginx;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forward-Auth-Secret "${secret}";
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
    }

    # The gateway said 401: its redirect (sign-in, the task page) for a navigation, else a 401.
    location @gateway_401 {
      auth_request off;
      add_header X-Auth-Reason $auth_reason always;
      add_header Cache-Control no-store always;
      # Clerk's cookies (a resolved handshake): an empty one adds no header.
${slots.map((n) => `      add_header Set-Cookie $auth_set_cookie_${n} always;`).join('\n')}
      if ($auth_redirect_status = 303) { return 303 $auth_location; }
      if ($auth_location) { return 307 $auth_location; }
      default_type application/json;
      return 401 '{"error":"unauthenticated","reason":"$auth_reason"}';
    }

    location / {
      try_files $uri $uri/ /index.php?$query_string;
    }
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $realpath_root$fastcgi_script_name;
      # What the gateway vouches for, in place of any client copy.
${params}
      fastcgi_param HTTP_COOKIE $auth_cookie;
      fastcgi_param HTTP_X_FORWARDED_HOST $http_host;
${extraParams.map((p) => `      fastcgi_param ${p};`).join('\n')}
      fastcgi_pass ${fastcgiPass};
    }
  }
`;
}

/**
 * Caddy 2.6: `forward_auth` written out as the `reverse_proxy` it expands to, because 2.6.2's
 * `copy_headers` hands the app its placeholder text for a header the answer lacks. Client headers
 * whose names php_fastcgi would turn into the gateway's (`X_Auth_User_Id`, `X-Auth.User-Id`) and
 * every client `X-Auth-*` are deleted first; on a 2xx the gateway's headers (always all present)
 * are set on the request, and its Cookie header replaces the client's; any other answer (401,
 * 403, the redirects) goes to the client as it is.
 */
export function caddySite({ address, gateway, secret, root, fastcgi, extra = '' }) {
  const copies = COPIED.map(([, h]) => `        request_header ${h} {http.reverse_proxy.header.${h}}`).join('\n');
  return `${address} {
  root * ${root}
  route {
    request_header -*_*
    request_header -*.*
    request_header -X-Auth-*
    reverse_proxy ${gateway.replace(/^http:\/\//, '')} {
      method GET
      rewrite /__gateway/forward-auth?proxy=caddy
      header_up X-Forward-Auth-Secret "${secret}"
      header_up X-Forwarded-Method {method}
      header_up X-Forwarded-Uri {uri}
      @allowed status 2xx
      handle_response @allowed {
${copies}
        request_header Cookie {http.reverse_proxy.header.X-Auth-Cookie}
      }
    }
    php_fastcgi ${fastcgi} {
${extra}
    }
  }
}
`;
}
