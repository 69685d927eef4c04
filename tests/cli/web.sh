#!/usr/bin/env bash
# The web pages' routes over HTTP, as a browser meets them: signing in with
# a password (or a token) through the form and its CSRF token, the session
# cookie's flags, changes refused without the session's CSRF token, failed
# sign-ins slowed down, signing out, the role pages (the producer's, the
# officer's, the commune's and the council's) and their assets.
suite=cli-web
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/web.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES ('HTX Một', 'Hàm Mỹ', 'cooperative')"
echo "mật khẩu của HTX" | "$OCOPTRACE" user add --role producer --producer 1 --password htxmot --db "$db" >/dev/null
officer=$(echo "canbo-pass-2025" | "$OCOPTRACE" user add --role officer --password canbo --db "$db" | tail -n 1)
echo "vanphong-2025" | "$OCOPTRACE" user add --role officer --password vanphong --db "$db" >/dev/null
echo "xa-ham-my-2025" | "$OCOPTRACE" user add --role commune --password xahammy --db "$db" >/dev/null
echo "hoi-dong-2025" | "$OCOPTRACE" user add --role council --chair --password chutich --db "$db" >/dev/null
expect_equal "a short password is refused" \
    "$(echo "short" | "$OCOPTRACE" user add --role officer --password x --db "$db" 2>&1; echo "exit $?")" \
    "ocoptrace: password: must be 8 to 128 bytes of UTF-8 on the first line of standard input
exit 2"
[[ $(sqlite3 "$db" "SELECT password_hash FROM users WHERE name = 'htxmot'") == '$argon2id$'* ]] &&
    pass || fail "the password is kept as an Argon2id hash"
start_daemon "$db"

# web JAR METHOD PATH [curl args...]: prints "STATUS LOCATION"; the body in $scratch/page,
# the headers in $scratch/headers.
web() {
    local jar=$1 method=$2 path=$3
    shift 3
    curl -s -b "$jar" -c "$jar" -o "$scratch/page" -D "$scratch/headers" -X "$method" \
        -w '%{http_code} %{redirect_url}' "$@" "$base$path"
}
header() { grep -i "^$1:" "$scratch/headers" | tr -d '\r'; }
csrf_of_page() { grep -o 'name="csrf" value="[^"]*"' "$scratch/page" | cut -d'"' -f4; }
# sign_in JAR NAME PASSWORD: the form, as a browser fills it.
sign_in() {
    web "$1" GET /sign-in >/dev/null
    local csrf
    csrf=$(csrf_of_page)
    web "$1" POST /sign-in --data-urlencode "name=$2" --data-urlencode "password=$3" \
        --data-urlencode "csrf=$csrf"
}

expect_equal "/ sends a stranger to sign in" "$(web "$scratch/none" GET /)" "303 $base/sign-in"
expect_equal "the producer's page needs a session" "$(web "$scratch/none" GET /producer)" "303 $base/sign-in"
got=$(web "$scratch/p" GET /sign-in)
expect_equal "the sign-in page" "$got $(header Content-Type)" "200  Content-Type: text/html; charset=utf-8"
[[ $(header Set-Cookie) == *"ocop_pre="*"HttpOnly; SameSite=Strict"* ]] && pass ||
    fail "the sign-in form's cookie is HttpOnly and SameSite=Strict: $(header Set-Cookie)"
[ -n "$(csrf_of_page)" ] && pass || fail "the form carries a CSRF token"
expect_equal "a form without its CSRF token is refused" \
    "$(web "$scratch/p" POST /sign-in --data-urlencode "name=htxmot" --data-urlencode "password=mật khẩu của HTX" | cut -c1-3)" 403

got=$(sign_in "$scratch/p" htxmot "sai mật khẩu")
expect_equal "a wrong password" "$got" "401 "
grep -q "Sai tên đăng nhập hoặc mật khẩu" "$scratch/page" && pass || fail "the page says the sign-in failed"
grep -q "ocop_session" "$scratch/p" && fail "no session after a wrong password" || pass
got=$(sign_in "$scratch/p" htxmot "mật khẩu của HTX")
expect_equal "the producer signs in" "$got" "303 $base/producer"
[[ $(header Set-Cookie | grep ocop_session) == *"HttpOnly; SameSite=Strict; Path=/"* ]] && pass ||
    fail "the session cookie is HttpOnly and SameSite=Strict: $(header Set-Cookie)"
expect_equal "the producer's page" "$(web "$scratch/p" GET /producer | cut -c1-3)" 200
expect_equal "not the officer's" "$(web "$scratch/p" GET /officer | cut -c1-3)" 403
expect_equal "/ goes to the role's page" "$(web "$scratch/p" GET /)" "303 $base/producer"
web "$scratch/p" GET /api/v1/session >/dev/null
session_csrf=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["user"]["name"], d["user"]["role"], d["csrf"])' "$scratch/page")
[[ $session_csrf == "htxmot producer "?* ]] && pass || fail "/api/v1/session names the user: $(cat "$scratch/page")"
csrf=${session_csrf##* }

# Changes with the cookie need the CSRF token; reads do not.
before=$(sqlite3 "$db" .dump)
product='{"name":"Mật ong hoa cà phê","group":"food"}'
got=$(web "$scratch/p" POST /api/v1/products --data-binary "$product")
expect_equal "a change without the CSRF header: 403" "${got%% *} $(grep -o '"code":"[a-z]*"' "$scratch/page")" '403 "code":"csrf"'
got=$(web "$scratch/p" POST /api/v1/products -H "X-CSRF-Token: wrong" --data-binary "$product")
expect_equal "a wrong CSRF header: 403" "${got%% *}" 403
expect_equal "refused changes change nothing" "$(sqlite3 "$db" .dump)" "$before"
got=$(web "$scratch/p" POST /api/v1/products -H "X-CSRF-Token: $csrf" --data-binary "$product")
expect_equal "with the CSRF header: 201" "${got%% *}" 201
expect_equal "reads need no CSRF header" "$(web "$scratch/p" GET /api/v1/products | cut -c1-3)" 200
expect_equal "a producer's session is still a producer" "$(web "$scratch/p" GET /api/v1/reports/summary | cut -c1-3)" 403

# An API token signs in too, and goes to its role's page.
web "$scratch/o" GET /sign-in >/dev/null
got=$(web "$scratch/o" POST /sign-in --data-urlencode "token=$officer" --data-urlencode "csrf=$(csrf_of_page)")
expect_equal "an officer signs in with a token" "$got" "303 $base/officer"
expect_equal "the officer's page" "$(web "$scratch/o" GET /officer | cut -c1-3)" 200

# Repeated failures slow the next tries down, even a right one.
for i in 1 2 3; do
    got=$(sign_in "$scratch/x" canbo "đoán $i")
    expect_equal "wrong guess $i" "$got" "401 "
done
got=$(sign_in "$scratch/x" canbo "canbo-pass-2025")
expect_equal "after three failures, wait" "$got" "429 "
grep -q "Hãy thử lại sau [0-9]* giây" "$scratch/page" && pass || fail "the page says how long to wait"
expect_equal "another user is not slowed" "$(sign_in "$scratch/y" htxmot "mật khẩu của HTX")" "303 $base/producer"

# Signing out ends the session on the server, not only in the browser.
cp "$scratch/p" "$scratch/p-copy"
web "$scratch/p" GET /sign-in >/dev/null
expect_equal "sign-out without its CSRF token: 403" "$(web "$scratch/p" POST /sign-out --data "csrf=x" | cut -c1-3)" 403
expect_equal "sign-out" "$(web "$scratch/p" POST /sign-out --data-urlencode "csrf=$csrf")" "303 $base/sign-in"
expect_equal "the old cookie no longer works" "$(web "$scratch/p-copy" GET /producer)" "303 $base/sign-in"
expect_equal "nor on the API" "$(web "$scratch/p-copy" GET /api/v1/products | cut -c1-3)" 401

# Each role has its page, reached from / and from signing in, and no other
# role's; the session (user and CSRF token) is read by every page's script.
# (Not canbo: its failed sign-ins above slow it down.)
# NAME|PASSWORD|ROLE|HOME
while IFS='|' read -r name password role home; do
    jar=$scratch/role-$name
    expect_equal "$role signs in to $home" "$(sign_in "$jar" "$name" "$password")" "303 $base$home"
    expect_equal "$role: / goes to $home" "$(web "$jar" GET /)" "303 $base$home"
    for page in /producer /officer /commune /council; do
        want=403
        [ "$page" = "$home" ] && want=200
        expect_equal "$role opens $page: $want" "$(web "$jar" GET "$page" | cut -c1-3)" "$want"
    done
    web "$jar" GET /api/v1/session >/dev/null
    got=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["user"]["role"], bool(d["csrf"]))' "$scratch/page" 2>&1)
    expect_equal "$role: the session names the role and its CSRF token" "$got" "$role True"
done <<'ROLES'
htxmot|mật khẩu của HTX|producer|/producer
vanphong|vanphong-2025|officer|/officer
xahammy|xa-ham-my-2025|commune|/commune
chutich|hoi-dong-2025|council|/council
ROLES

# Assets: plain names in templates/web/assets, cached.
got=$(web "$scratch/none" GET /assets/app.css)
expect_equal "a stylesheet" "${got%% *} $(header Content-Type) $(header Cache-Control)" \
    "200 Content-Type: text/css; charset=utf-8 Cache-Control: public, max-age=3600"
expect_equal "a script" "$(web "$scratch/none" GET /assets/app.js | cut -c1-3) $(header Content-Type)" \
    "200 Content-Type: text/javascript; charset=utf-8"
for path in /assets/nothing.css /assets/..%2fsign-in.html /assets/app.exe /assets/; do
    expect_equal "no asset $path" "$(web "$scratch/none" GET "$path" | cut -c1-3)" 404
done

# A phone scanning a code nobody registered sees the warning page.
got=$(web "$scratch/none" GET /01/08935049500018/10/L1/21/ABC123)
expect_equal "an unregistered code: 404 page" "$got $(header Content-Type)" "404  Content-Type: text/html; charset=utf-8"
grep -q 'verdict-unknown' "$scratch/page" && grep -q 'Cảnh báo' "$scratch/page" && pass ||
    fail "the page warns that the code is unknown"
expect_equal "the icon browsers ask for" "$(web "$scratch/none" GET /favicon.ico | cut -c1-3) $(header Content-Type)" \
    "200 Content-Type: image/svg+xml"
finish
