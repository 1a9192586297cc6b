#!/usr/bin/env bash
# Stand-in for the official postgres image's docker-entrypoint.sh (the subset the tutorial relies on).
# First start on an empty PGDATA: initdb with POSTGRES_USER and POSTGRES_PASSWORD, allow password
# (scram-sha-256) login from any host, create POSTGRES_DB, run /docker-entrypoint-initdb.d/*.sql|*.sh.
# The password is passed to initdb through a file descriptor, never on a command line, and never echoed.
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA"
	chown postgres:postgres "$PGDATA"
	chmod 700 "$PGDATA"
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = 'postgres' ]; then
	if [ ! -s "$PGDATA/PG_VERSION" ]; then
		auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
		if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != 'trust' ]; then
			echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
			echo '       Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust).' >&2
			exit 1
		fi
		POSTGRES_USER="${POSTGRES_USER:-postgres}"
		POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
		if [ -n "${POSTGRES_PASSWORD:-}" ]; then
			initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") --auth-local=trust --auth-host="$auth" -D "$PGDATA" >/dev/null
		else
			initdb --username="$POSTGRES_USER" --auth-local=trust --auth-host="$auth" -D "$PGDATA" >/dev/null
		fi
		printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
		printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
		echo 'PostgreSQL init process: database files created'

		pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
		psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
		if [ "$POSTGRES_DB" != 'postgres' ]; then
			"${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
				CREATE DATABASE :"db" ;
			EOSQL
		fi
		for f in /docker-entrypoint-initdb.d/*; do
			case "$f" in
				*.sh) echo "running $f"; . "$f" ;;
				*.sql) echo "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
				*) ;;
			esac
		done
		pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
		echo 'PostgreSQL init process complete; ready for start up.'
	fi
	exec "$@"
fi

exec "$@"
