#!/usr/bin/env bash
# test_postfix.sh - dlp-milter behind a real Postfix (Debian's postfix package).
#
# usage: test_postfix.sh DLPD_BIN MILTER_BIN RULES_DIR CACHE_DIR [LOG_DIR]
#
# LOG_DIR: where the logs of dlpd, the milters and Postfix are kept after the
# run (appended to postfix-PID.log) for tests/check_logs.sh.
#
# Starts, all on 127.0.0.1 and on free ports found at run time, all under one
# temporary directory:
#   - dlpd on a unix socket, the integration harness's config;
#   - dlp-milter A (--refuse-lookalike-rcpt --domains dlpd.yaml) and
#     dlp-milter B (no RCPT check);
#   - smtp-sink, dumping every transaction it receives to a file;
#   - a private Postfix instance (own config, queue and data directories,
#     log file, no pickup, no local delivery) with two smtpd listeners:
#     port A uses milter A, port B uses milter B; everything relays to the sink.
# Then sends mail with swaks and checks the SMTP replies and what the sink got:
#   1a  FOUO to a look-alike on A: 550 5.1.1 at RCPT, with the notice
#   1b  the same on B: accepted at RCPT, 550 5.7.1 at end of DATA, with the notice
#   2   benign mail to an external domain reaches the sink with X-DLP-Action
#   3   look-alike + colleague: the look-alike alone refused, the rest delivered
#   4   dlpd stopped: a normal message gets 451 4.7.1, a look-alike still 550 5.1.1
# Must run as root (Postfix's master and smtp-sink need it), as CI does.
# Exit 0 on success, 1 otherwise; a missing package is a failure with a
# message naming scripts/deps.sh --test (no silent skip).
set -uo pipefail

DLPD_BIN=${1:?usage: test_postfix.sh DLPD_BIN MILTER_BIN RULES_DIR CACHE_DIR}
MILTER_BIN=${2:?}
RULES_DIR=${3:?}
CACHE_DIR=${4:?}
LOG_DIR=${5:-}

NOTICE='army.ml looks like army.mil - check the address'
T0=$SECONDS
fails=0
pids=()
T=
PF_CONF=
PF_STARTED=0

say() { printf 'postfix-it: %s\n' "$*"; }
die() { say "FATAL: $*"; exit 1; }

for tool in postfix postconf smtp-sink swaks; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool not found: install the test packages with scripts/deps.sh --test"
done
[ "$(id -u)" -eq 0 ] || die "must run as root (Postfix master, smtp-sink -u)"
id postfix >/dev/null 2>&1 || die "no postfix user (is Debian's postfix installed?)"

cleanup() {
  local rc=$?
  trap '' INT TERM # finish cleaning up even if signalled again
  trap - EXIT
  if [ "$PF_STARTED" -eq 1 ]; then
    postfix -c "$PF_CONF" stop >/dev/null 2>&1
    # master exits after its children; bounded wait, then force it.
    local mpid
    mpid=$(tr -d ' ' <"$T/queue/pid/master.pid" 2>/dev/null)
    if [ -n "$mpid" ]; then
      for _ in $(seq 50); do kill -0 "$mpid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$mpid" 2>/dev/null && kill -KILL "$mpid" 2>/dev/null
    fi
  fi
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  if [ $rc -ne 0 ] && [ -n "$T" ]; then
    for f in maillog dlpd.log milter-a.log milter-b.log sink.log; do
      [ -s "$T/$f" ] && { say "---- $f (tail)"; tail -n 40 "$T/$f"; }
    done
  fi
  if [ -n "$LOG_DIR" ] && [ -n "$T" ]; then # not sink.log: the sink dumps mail
    mkdir -p "$LOG_DIR"
    for f in maillog dlpd.log milter-a.log milter-b.log; do
      [ -f "$T/$f" ] && { echo "==== $f"; cat "$T/$f"; } >>"$LOG_DIR/postfix-$$.log"
    done
  fi
  [ -n "$T" ] && [ -z "${KEEP_TMP:-}" ] && rm -rf "$T"
  say "runtime $((SECONDS - T0)) s"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# free_port VAR: sets VAR to a port nothing listens on, not already handed
# out here (no command substitution: $taken must survive the call).
taken=" "
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    case "$taken" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      taken="$taken$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  return 1
}

# Wait (bounded) until something accepts on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listens on 127.0.0.1:$1 after 10 s ($2)"
}

check() { # check NAME COND-STATUS
  if [ "$2" -eq 0 ]; then say "ok   $1"; else say "FAIL $1"; fails=$((fails + 1)); fi
}

T=$(mktemp -d /tmp/dlp-postfix-it-XXXXXX) || die "mktemp"
chmod 755 "$T" # Postfix daemons (user postfix) must traverse it

free_port SINK_PORT && free_port SMTPD_A && free_port SMTPD_B &&
  free_port MILTER_A && free_port MILTER_B || die "no free ports"
say "ports: smtpd A $SMTPD_A, smtpd B $SMTPD_B, milter A $MILTER_A, milter B $MILTER_B, sink $SINK_PORT"

# ------------------------------------------------------------------ dlpd
cat >"$T/dlpd.yaml" <<EOF
# written by tests/integration/test_postfix.sh
listen: ["unix:$T/dlpd.sock"]
rules: "$RULES_DIR"
cache: "$CACHE_DIR"
workers: 2
protected_domains: [mil]
protected_domains_files: ["$RULES_DIR/protected/us-mil.txt"]
internal_domains: [example.org]
EOF
"$DLPD_BIN" -c "$T/dlpd.yaml" </dev/null >"$T/dlpd.log" 2>&1 &
DLPD_PID=$!
pids+=("$DLPD_PID")
for _ in $(seq 300); do [ -S "$T/dlpd.sock" ] && break; sleep 0.1; done
[ -S "$T/dlpd.sock" ] || die "dlpd did not create its socket within 30 s"

# ------------------------------------------------------------------ milters
"$MILTER_BIN" -s "inet:$MILTER_A@127.0.0.1" -d "unix:$T/dlpd.sock" -t 5000 -v \
  --refuse-lookalike-rcpt --domains "$T/dlpd.yaml" </dev/null >"$T/milter-a.log" 2>&1 &
pids+=($!)
"$MILTER_BIN" -s "inet:$MILTER_B@127.0.0.1" -d "unix:$T/dlpd.sock" -t 5000 -v \
  </dev/null >"$T/milter-b.log" 2>&1 &
pids+=($!)

# ------------------------------------------------------------------ sink
mkdir "$T/sink" && chown postfix "$T/sink"
smtp-sink -u postfix -R "$T/sink" -d "%M." "127.0.0.1:$SINK_PORT" 100 \
  </dev/null >"$T/sink.log" 2>&1 &
pids+=($!)

wait_port "$MILTER_A" "dlp-milter A"
wait_port "$MILTER_B" "dlp-milter B"
wait_port "$SINK_PORT" "smtp-sink"

# ------------------------------------------------------------------ postfix
PF_CONF="$T/conf"
mkdir -p "$PF_CONF" "$T/queue" "$T/data"
chown postfix "$T/data"
cat >"$PF_CONF/main.cf" <<EOF
# private instance written by tests/integration/test_postfix.sh
compatibility_level = 3.6
config_directory = $PF_CONF
queue_directory = $T/queue
data_directory = $T/data
mail_owner = postfix
setgid_group = postdrop
myhostname = dlp-postfix-it.example.org
mydomain = example.org
myorigin = example.org
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtp_connection_cache_on_demand = no
smtpd_milters = inet:127.0.0.1:$MILTER_A
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
maillog_file = $T/maillog
maillog_file_prefixes = $T
biff = no
smtpd_banner = \$myhostname ESMTP dlp-postfix-it
EOF
# Only the services this test needs: no pickup (the system's maildrop is
# never read), no local delivery, no chroot.
cat >"$PF_CONF/master.cf" <<EOF
127.0.0.1:$SMTPD_A inet n - n - - smtpd
127.0.0.1:$SMTPD_B inet n - n - - smtpd
  -o smtpd_milters=inet:127.0.0.1:$MILTER_B
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
postfix -c "$PF_CONF" check >"$T/postfix-check.log" 2>&1 ||
  { cat "$T/postfix-check.log"; die "postfix check failed"; }
PF_STARTED=1 # before start: a signal during it must still stop the master
postfix -c "$PF_CONF" start >"$T/postfix-start.log" 2>&1 ||
  { cat "$T/postfix-start.log"; die "postfix start failed"; }
wait_port "$SMTPD_A" "postfix smtpd A"
wait_port "$SMTPD_B" "postfix smtpd B"
say "postfix $(postconf -c "$PF_CONF" -h mail_version) up"

# ------------------------------------------------------------------ helpers
FOUO_BODY=$'FOR OFFICIAL USE ONLY\n\nYour travel orders are attached.\n\nFOR OFFICIAL USE ONLY'
BENIGN_BODY=$'Hi Tom,\n\nare we still on for lunch on Friday?\n\nSam'

# send PORT OUTFILE SUBJECT BODY RCPT... ; swaks's transcript goes to OUTFILE
send() {
  local port=$1 out=$2 subject=$3 body=$4
  shift 4
  local to
  to=$(IFS=,; echo "$*")
  timeout 60 swaks --server 127.0.0.1 --port "$port" --helo client.example.org \
    --from sender@example.org --to "$to" \
    --h-From 'Sam Doe <sender@example.org>' --h-To "${HTO:-$to}" --h-Subject "$subject" \
    --body "$body" --timeout 30 >"$out" 2>&1
  echo "swaks exit $?" >>"$out"
}

# show FILE: the server's replies that matter
show() { grep -E '^<(-|\*\*) +(250 2\.(1\.5|0\.0)|[45][0-9][0-9] )' "$1" | sed 's/^/    /'; }

# Wait (bounded) for a sink dump that mentions $1; prints its name.
sink_file() {
  local f
  for _ in $(seq 200); do
    f=$(grep -las -- "$1" "$T"/sink/* 2>/dev/null | head -n 1)
    [ -n "$f" ] && { echo "$f"; return 0; }
    sleep 0.1
  done
  return 1
}

# ------------------------------------------------------------------ 1a
say "1a: FOUO to jordan.smith@army.ml via milter A (--refuse-lookalike-rcpt)"
send "$SMTPD_A" "$T/1a" "Travel orders" "$FOUO_BODY" jordan.smith@army.ml
show "$T/1a"
grep -qE "^<\*\* +550.5\.1\.1 .*$NOTICE" "$T/1a"
check "1a RCPT refused 550 5.1.1 with the notice" $?

# ------------------------------------------------------------------ 1b
say "1b: FOUO to jordan.smith@army.ml via milter B (no RCPT check)"
send "$SMTPD_B" "$T/1b" "Travel orders" "$FOUO_BODY" jordan.smith@army.ml
show "$T/1b"
grep -A1 -E '^ -> RCPT TO:<jordan.smith@army.ml>' "$T/1b" | grep -qE '^<- +250'
check "1b RCPT accepted" $?
grep -qE "^<\*\* +550.5\.7\.1 .*$NOTICE" "$T/1b"
check "1b end of DATA 550 5.7.1 with the notice" $?

# ------------------------------------------------------------------ 2
say "2: benign mail to tom.becker@example.com via milter A"
send "$SMTPD_A" "$T/2" "Lunch on Friday" "$BENIGN_BODY" tom.becker@example.com
show "$T/2"
grep -qE '^<- +250 2\.0\.0 Ok: queued' "$T/2"
check "2 queued" $?
f=$(sink_file "tom.becker@example.com")
check "2 reached the sink" $?
if [ -n "$f" ]; then
  grep -a -E '^X-DLP-' "$f" | tr -d '\r' | sed 's/^/    sink: /'
  grep -aq '^X-DLP-Action: allow' "$f"
  check "2 sink copy has X-DLP-Action: allow" $?
fi

# ------------------------------------------------------------------ 3
say "3: look-alike + colleague@example.com via milter A"
# The look-alike is only in the envelope (a Bcc): were it in To: as well,
# dlpd would see it in the header and block the whole message (550 5.7.1).
HTO='Colleague <colleague@example.com>' \
  send "$SMTPD_A" "$T/3" "Lunch for three" "$BENIGN_BODY" jordan.smith@army.ml colleague@example.com
show "$T/3"
grep -qE "^<\*\* +550.5\.1\.1 .*$NOTICE" "$T/3"
check "3 army.ml refused 550 5.1.1" $?
grep -qE '^<- +250 2\.0\.0 Ok: queued' "$T/3"
check "3 message queued for the rest" $?
f=$(sink_file "colleague@example.com")
check "3 colleague's copy reached the sink" $?
if [ -n "$f" ]; then
  ! grep -aq 'army\.ml' <(grep -av '^To:' "$f" | grep -aiv 'subject')
  check "3 sink copy has no army.ml recipient" $?
  grep -aq 'X-DLP-Action:' "$f"
  check "3 sink copy has X-DLP-Action" $?
fi

# ------------------------------------------------------------------ 4
say "4: dlpd stopped"
kill -TERM "$DLPD_PID"
for _ in $(seq 100); do kill -0 "$DLPD_PID" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$DLPD_PID" 2>/dev/null
check "4 dlpd exited on SIGTERM" $?
send "$SMTPD_A" "$T/4a" "Lunch on Friday" "$BENIGN_BODY" tom.becker@example.com
show "$T/4a"
grep -qE '^<\*\* +451.4\.7\.1' "$T/4a"
check "4 normal message: 451 4.7.1 at end of DATA" $?
send "$SMTPD_A" "$T/4b" "Travel orders" "$FOUO_BODY" jordan.smith@army.ml
show "$T/4b"
grep -qE "^<\*\* +550.5\.1\.1 .*$NOTICE" "$T/4b"
check "4 look-alike still refused 550 5.1.1 at RCPT" $?

if [ "$fails" -ne 0 ]; then
  say "$fails check(s) failed"
  for f in 1a 1b 2 3 4a 4b; do say "---- swaks $f"; cat "$T/$f"; done
  exit 1
fi
say "all checks passed"
exit 0
