#!/usr/bin/env bash
# Makes sure the services the tests use are up on their standard ports:
# PostgreSQL (127.0.0.1:5432, trust auth, database test), MariaDB
# (127.0.0.1:3306, root without a password, database test) and Redis
# (127.0.0.1:6379). A service that answers is left alone. One that is down
# is started the way the project's machines start it; one that is not
# installed is installed from Debian's packages, configured as the tests
# expect, and started. Used by .ci/run; safe to run by hand.
set -euo pipefail

up() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_up() { # port name
	for _ in $(seq 1 60); do
		up "$1" && return 0
		sleep 0.5
	done
	echo "$2 did not start on 127.0.0.1:$1" >&2
	return 1
}

apt_install() {
	if [ -z "${APT_UPDATED:-}" ]; then
		apt-get update -qq
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

postgres() {
	if up 5432; then echo "PostgreSQL: up"; return; fi
	local fresh=""
	if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
		echo "PostgreSQL: installing"
		apt_install postgresql
		fresh=1
	fi
	local v
	v=$(ls /etc/postgresql | sort -V | tail -1)
	if [ -n "$fresh" ]; then
		# The tests connect as postgres over TCP without a password.
		sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "/etc/postgresql/$v/main/pg_hba.conf"
	fi
	echo "PostgreSQL: starting cluster $v/main"
	pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
	wait_up 5432 PostgreSQL
	for db in test root; do
		su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" | grep -q 1 ||
			su postgres -c "createdb $db"
	done
}

mariadb() {
	if up 3306; then echo "MariaDB: up"; return; fi
	local fresh=""
	if ! [ -x /usr/sbin/mariadbd ]; then
		echo "MariaDB: installing"
		apt_install mariadb-server
		fresh=1
	fi
	echo "MariaDB: starting"
	mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
	start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
	wait_up 3306 MariaDB
	if [ -n "$fresh" ]; then
		# The tests connect as root over TCP with no password.
		mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" || true
	fi
	mariadb -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS test"
}

redis() {
	# Installed even when the shared server is up: the outage tests start
	# redis-server processes of their own on free ports.
	if ! command -v redis-server >/dev/null; then
		echo "Redis: installing"
		apt_install redis-server
	fi
	if up 6379; then echo "Redis: up"; return; fi
	echo "Redis: starting"
	mkdir -p /var/lib/redis /var/log/redis
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	wait_up 6379 Redis
}

postgres
mariadb
redis
