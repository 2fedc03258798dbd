#!/usr/bin/env bash
# Back up a Jiceng PostgreSQL database and prove the backup restores (docs/deployment.md §5).
#
#   DATABASE_URL=postgres://user:pass@host:5432/jiceng bin/backup_restore_check.sh [BACKUP_DIR]
#
# 1. pg_dump -Fc the database into BACKUP_DIR (default var/backups) as jiceng-YYYYmmdd-HHMMSS-PID.dump,
#    from a snapshot in which the row count of every table is also taken (so the site may stay up);
# 2. pg_restore it into a scratch database on the same server (jiceng_restore_check_<pid>);
# 3. compare the exact row count of every table of the public schema, snapshot against restored;
# 4. drop the scratch database (also on failure) and keep the dump.
# Exits 0 and prints "backup restored and verified" when every table matches; non-zero otherwise.
# Needs pg_dump, pg_restore and psql of the server's major version, and the right to create a database.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL=postgres://…}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL must be a PostgreSQL URL" >&2; exit 2 ;;
esac

backup_dir="${1:-var/backups}"
mkdir -p "$backup_dir"
dump="$backup_dir/jiceng-$(date -u +%Y%m%d-%H%M%S)-$$.dump"
scratch="jiceng_restore_check_$$"
# The same server, another database: replace the path of the URL (and keep any ?query).
base="${DATABASE_URL%%\?*}"
query=""
[ "$base" != "$DATABASE_URL" ] && query="?${DATABASE_URL#*\?}"
server="${base%/*}"
scratch_url="$server/$scratch$query"
maintenance_url="$server/postgres$query"

cleanup() { psql "$maintenance_url" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# One line per table: name and exact row count (a count(*) per table, generated in SQL).
COUNT_SQL="SELECT format('SELECT %L || '' '' || count(*) FROM %I.%I', tablename, schemaname, tablename)
FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
\\gexec"
count_rows() { printf '%s\n' "$COUNT_SQL" | psql "$1" -At -v ON_ERROR_STOP=1; }

# A session holds a repeatable-read snapshot: pg_dump dumps it, and the counts are taken in it.
coproc SNAPSHOT { psql "$DATABASE_URL" -At -q -v ON_ERROR_STOP=1; }
echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" >&"${SNAPSHOT[1]}"
read -r snapshot <&"${SNAPSHOT[0]}"

echo "== pg_dump (snapshot $snapshot) → $dump"
pg_dump --format=custom --no-owner --no-privileges --snapshot="$snapshot" --file="$dump" "$DATABASE_URL"
printf '%s\nSELECT %s;\nCOMMIT;\n' "$COUNT_SQL" "'-- end of counts --'" >&"${SNAPSHOT[1]}"
source_counts=""
while read -r line <&"${SNAPSHOT[0]}"; do
  [ "$line" = "-- end of counts --" ] && break
  source_counts+="$line"$'\n'
done
source_counts="${source_counts%$'\n'}"
exec {SNAPSHOT[1]}>&-
wait "$SNAPSHOT_PID" 2>/dev/null || true

echo "== pg_restore into the scratch database $scratch"
psql "$maintenance_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $scratch" >/dev/null
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$scratch_url" "$dump"

restored_counts="$(count_rows "$scratch_url")"
tables=$(printf '%s\n' "$source_counts" | grep -c . || true)
rows=$(printf '%s\n' "$source_counts" | awk '{s += $2} END {print s + 0}')

if [ "$source_counts" != "$restored_counts" ]; then
  echo "!!! the restored database differs from the source (table rows: source | restored):" >&2
  diff <(printf '%s\n' "$source_counts") <(printf '%s\n' "$restored_counts") >&2 || true
  exit 1
fi
if [ "$tables" -eq 0 ]; then
  echo "!!! the source database has no tables: nothing was backed up" >&2
  exit 1
fi
printf '%s\n' "$source_counts" >"$dump.counts"
echo "backup restored and verified: $tables tables, $rows rows, $(du -h "$dump" | cut -f1) in $dump"
