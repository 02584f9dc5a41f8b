#!/bin/sh
# Renders signalman.conf: fills in its ${NAME} placeholders from the environment, falling back to
# signalman.env beside this script (or the file given as -e FILE), and writes the result to standard
# output. Only the names listed in the env file are replaced, so nginx's own $variables pass through;
# a placeholder left without a value is an error, not an empty string in nginx's configuration.
#
#   deploy/nginx/render.sh > /etc/nginx/conf.d/signalman.conf
#   cp deploy/nginx/snippets/signalman-common.conf /etc/nginx/snippets/
#   NGINX_SERVER_NAME=signal.example.com deploy/nginx/render.sh -e my.env > ...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
env_file="$here/signalman.env"
template="$here/signalman.conf"
while getopts e:t: opt; do
  case $opt in
    e) env_file=$OPTARG ;;
    t) template=$OPTARG ;;
    *) echo "usage: $0 [-e ENV_FILE] [-t TEMPLATE]" >&2; exit 2 ;;
  esac
done
command -v envsubst >/dev/null || { echo "render.sh: envsubst is missing (Debian: apt-get install gettext-base)" >&2; exit 1; }

names=""
while IFS= read -r line || [ -n "$line" ]; do
  case $line in ''|'#'*) continue ;; esac
  name=${line%%=*}
  value=${line#*=}
  case $name in
    [A-Z_]*) ;;
    *) echo "render.sh: $env_file: '$name' is not a variable name" >&2; exit 1 ;;
  esac
  case $name in *[!A-Z0-9_]*) echo "render.sh: $env_file: '$name' is not a variable name" >&2; exit 1 ;; esac
  # The environment wins over the file.
  if eval "[ -z \"\${$name+set}\" ]"; then
    eval "$name=\$value"
    export "$name"
  fi
  names="$names \${$name}"
done < "$env_file"

rendered=$(envsubst "$names" < "$template")
left=$(printf '%s\n' "$rendered" | grep -o '\${[A-Z_][A-Z0-9_]*}' | sort -u | tr '\n' ' ' || true)
if [ -n "$left" ]; then
  echo "render.sh: no value for $left(add them to $env_file)" >&2
  exit 1
fi
printf '%s\n' "$rendered"
