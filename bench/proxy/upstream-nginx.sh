# Sourced by the bench/proxy scripts: the upstream every case proxies to, an nginx answering `200 ok` on core 0.
#   start_upstream_nginx DIR PORT   (writes DIR/nginx.conf and starts it)
#   stop_upstream_nginx DIR
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

start_upstream_nginx() {
  local dir=$1 port=$2
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1; daemon on; pid $dir/nginx.pid; error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  keepalive_requests 100000; server { listen 127.0.0.1:$port reuseport backlog=16384; location / { return 200 'ok'; } } }
CONF
  taskset -c 0 "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
}

stop_upstream_nginx() {
  [ -f "$1/nginx.pid" ] && kill "$(cat "$1/nginx.pid")" 2>/dev/null || true
}
