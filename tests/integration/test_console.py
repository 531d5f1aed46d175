"""The web console (issue 11) in a real headless Chromium, against a real
`serve` with demo data: signing in, the jobs and their live progress, the
dependency graph and the run dialog, the history and a run's log, pause
and resume, what a viewer sees, markup in error texts, the session
cookie's rules, and no error in the browser's console on any view.

Every view is saved as a screenshot at 1280 and 390 px wide under the
test's temporary folder (screens/), to look at."""

import os
import shutil
import time

import pytest

import openapi_check
from serve_helpers import NO_CATCHUP, prepare_db, serve_factory, wait_until  # noqa: F401
from test_operator_api import make_token

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

CONSOLE = {**NO_CATCHUP, "TIS_SYNC_HTTP_AUTH": "token"}
WIDTHS = (1280, 390)
SEARCH_JOB = "PersonElasticSearchSyncJob"
MARKUP = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2"> & "quotes"'


def _find_browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or "/usr/lib/chromium/chromedriver"
    if not chromium or not os.path.exists(driver):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium and chromium-driver are not installed (scripts/setup.sh installs them)")
        pytest.skip("chromium and chromium-driver are not installed")
    return chromium, driver


@pytest.fixture(scope="module")
def chrome():
    """One headless Chromium for the module; each test starts it clean."""
    chromium, driver_path = _find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


class Console:
    """The browser on one serve's console, with what the tests do there."""

    def __init__(self, driver, serve, screens):
        self.d, self.serve, self.screens = driver, serve, screens
        self.base = f"http://127.0.0.1:{serve.port}"
        self.d.set_window_size(1280, 900)
        self.d.get(self.base + "/health")   # the cookies of this host (any port) go
        self.d.delete_all_cookies()
        self.d.get_log("browser")           # and what an earlier test logged

    def open(self, fragment=""):
        self.d.get(f"{self.base}/{fragment}")
        self.wait(lambda: self.d.find_elements(By.CSS_SELECTOR, "#view h1"), "a view's heading")

    def wait(self, found, what, timeout=20):
        def attempt():
            try:
                return found()
            except (StaleElementReferenceException, NoSuchElementException):  # the page is still loading
                return None
        return wait_until(attempt, timeout=timeout, interval=0.1, what=what)

    def one(self, css):
        return self.wait(lambda: (self.d.find_elements(By.CSS_SELECTOR, css) or [None])[0], css)

    def texts(self, css):
        return [e.text for e in self.d.find_elements(By.CSS_SELECTOR, css)]

    def heading(self):
        return self.one("#view h1").text

    def go(self, fragment, heading):
        self.d.execute_script("location.hash = arguments[0]", fragment)
        self.wait(lambda: self.heading() == heading, f"the view {heading!r}")

    def sign_in(self, token):
        self.open()
        assert self.heading() == "Sign in"
        assert not self.d.find_element(By.ID, "nav").is_displayed()
        field = self.one("#token")
        assert field.get_attribute("type") == "password"
        field.send_keys(token)
        field.submit()
        self.wait(lambda: self.d.find_element(By.ID, "nav").is_displayed(), "the navigation after signing in")
        self.wait(lambda: self.heading() == "Jobs", "the jobs view")
        assert token not in self.d.current_url
        assert token not in self.d.page_source

    def cards(self):
        """{job name: card text} of the jobs view, once its cards are drawn."""
        self.wait(lambda: self.d.find_elements(By.CSS_SELECTOR, "article.job"), "the job cards")
        return {e.get_attribute("id")[4:]: e.text for e in self.d.find_elements(By.CSS_SELECTOR, "article.job")}

    def button(self, job, action):
        found = self.d.find_elements(By.CSS_SELECTOR, f"#job-{job} button[data-action='{action}']")
        return found[0] if found else None

    def console_errors(self):
        """The browser's SEVERE log entries since the last call."""
        return [e for e in self.d.get_log("browser") if e["level"] == "SEVERE"]

    def assert_clean(self, where):
        errors = self.console_errors()
        assert not errors, f"browser console errors on {where}: {errors}"

    def screenshot(self, name, whole=True):
        """The page (WHOLE: all of it, else a screenful, as for a dialog)
        at each width, as screens/NAME-WIDTH.png."""
        self.screens.mkdir(exist_ok=True)
        for width in WIDTHS:
            self.d.set_window_size(width, 900)
            time.sleep(0.2)
            if whole:
                height = self.d.execute_script("return document.documentElement.scrollHeight")
                self.d.set_window_size(width, min(max(height + 140, 600), 5000))
                time.sleep(0.2)
            if width < 600:  # nothing wider than the phone's screen
                wide = self.d.execute_script("return document.documentElement.scrollWidth")
                assert wide <= width + 1, f"{name} is {wide} px wide at {width} px"
            self.d.save_screenshot(str(self.screens / f"{name}-{width}.png"))
        self.d.set_window_size(1280, 900)


@pytest.fixture
def console(chrome, tmp_path):
    return lambda serve: Console(chrome, serve, tmp_path / "screens")


@pytest.fixture
def signed_in(mysql_db, run_tis, serve_factory, console):
    """MariaDB with demo data; signed_in(role) then starts a serve and signs
    in to its console with a new token of ROLE: (console, serve, token)."""
    prepare_db(run_tis, mysql_db)

    def start(role="operator", name="ops"):
        token = make_token(run_tis, mysql_db, name, role)
        s = serve_factory(mysql_db.url, env=CONSOLE)
        c = console(s)
        c.sign_in(token)
        return c, s, token
    return start


def api_jobs(s, token):
    return {j["name"]: j for j in s.call("GET", "/api/v1/jobs", token).json["jobs"] if j["available"]}


def will_run(jobs, name):
    """NAME and what must re-run after it, in chain order (the API lists jobs so)."""
    wanted = {name}
    for job in jobs.values():
        if job["name"] in wanted:
            wanted.update(job["dependents"])
    return [j for j in jobs if j in wanted]


def slow_search(proxy, alias):
    """The search job behind the fault proxy, each bulk answered late, so
    that its progress is seen moving."""
    proxy.slow_bulks, proxy.slow_seconds = 1000, 0.4
    return {"TIS_SYNC_ES_URL": proxy.url, "TIS_SYNC_ES_ALIAS": alias, "TIS_SYNC_ES_BULK_BYTES": "60000",
            "TIS_SYNC_ES_CONCURRENCY": "1"}


def test_console_main_flow(db, run_tis, serve_factory, console, proxy, alias, engine):
    """Sign in, every job, the graph, a run with its dependents with its
    progress live, the history and the run's log, on both databases."""
    prepare_db(run_tis, db, persons=1500)
    token = make_token(run_tis, db, "ops", "operator")
    s = serve_factory(db.url, env={**CONSOLE, **slow_search(proxy, alias)})
    c = console(s)
    c.open()
    c.assert_clean("the sign-in form")
    c.screenshot("signin")
    c.sign_in(token)

    jobs = api_jobs(s, token)
    assert set(c.cards()) == set(jobs)
    for name, text in c.cards().items():
        assert jobs[name]["schedule"] in text and "Never run." in text, text
        assert "UTC" in text, text  # the next run with its zone
        assert c.button(name, "run") and c.button(name, "pause"), name
    c.assert_clean("the jobs view")
    c.screenshot("jobs")

    # What to re-run: the graph highlights, numbered, what a re-run runs.
    first = min((name for name in jobs if SEARCH_JOB in will_run(jobs, name) and name != SEARCH_JOB),
                key=lambda name: len(will_run(jobs, name)))
    order = will_run(jobs, first)
    c.go("#/dependencies", "What to re-run")
    assert len(c.d.find_elements(By.CSS_SELECTOR, "svg.graph g.node")) == len(jobs)
    Select(c.one("#rerun-job")).select_by_value(first)
    c.wait(lambda: c.texts("ol.will-run-list li") == order, f"the order {order}")
    highlighted = c.d.find_elements(By.CSS_SELECTOR, "svg.graph g.node.will-run")
    assert sorted((g.find_element(By.CSS_SELECTOR, "text.step").text, g.text) for g in highlighted) == \
        sorted((str(i + 1), f"{i + 1}\n{name}") for i, name in enumerate(order))
    c.assert_clean("the dependency graph")
    c.screenshot("dependencies")

    # The run dialog shows the same order before the operator confirms.
    c.go("#/jobs", "Jobs")
    c.cards()
    c.button(first, "run").click()
    dialog = c.one("dialog.run-dialog[open]")
    assert c.one("#run-dependents").is_selected()
    c.wait(lambda: c.texts("dialog ol.will-run-list li") == order, "the dialog's order")
    c.one("#run-dependents").click()
    c.wait(lambda: c.texts("dialog ol.will-run-list li") == [first], "the job alone")
    c.one("#run-dependents").click()
    c.wait(lambda: c.texts("dialog ol.will-run-list li") == order, "the dialog's order again")
    c.screenshot("run-dialog", whole=False)
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    c.wait(lambda: c.one("#message").text.startswith("Queued:"), "the queued message")
    assert all(name in c.one("#message").text for name in order)

    # The search job's progress bar moves and reaches its end.
    seen = []

    def search_finished():
        bars = c.d.find_elements(By.CSS_SELECTOR, f"#job-{SEARCH_JOB} progress")
        if bars:
            value, top = float(bars[0].get_attribute("value") or 0), float(bars[0].get_attribute("max"))
            if not seen or seen[-1] != (value, top):
                seen.append((value, top))
                if len(seen) == 3:
                    c.screenshot("jobs-running")
        text = c.d.find_element(By.ID, f"job-{SEARCH_JOB}").text
        return "Last run" in text and "succeeded" in text
    c.wait(search_finished, "the search job to finish", timeout=120)
    fractions = [v / t for v, t in seen]
    assert any(0 < f < 1 for f in fractions), seen              # seen part way
    assert fractions == sorted(fractions) and fractions[-1] == 1, seen  # only forwards, to the end
    runs = s.call("GET", "/api/v1/runs?limit=50", token).json["runs"]
    ours = {r["job"]: r for r in runs}
    assert all(ours[name]["status"] == "succeeded" and ours[name]["startedBy"] == "api:ops" for name in order), runs
    assert engine.count(alias) == ours[SEARCH_JOB]["rowsWritten"] > 0
    c.wait(lambda: all("Last run" in c.cards()[name] for name in order), "every card's last run")
    c.assert_clean("the jobs view while running")

    # History: the new rows, filtered by job; a run's page with its log.
    c.go("#/history", "History")
    c.wait(lambda: len(c.d.find_elements(By.CSS_SELECTOR, "table.runs tbody tr")) == len(order), "the runs")
    assert [r.split()[1] for r in c.texts("table.runs tbody tr")] == list(reversed(order))
    Select(c.one("#filter-job")).select_by_value(SEARCH_JOB)
    c.one("form.filters button[type=submit]").click()
    c.wait(lambda: len(c.texts("table.runs tbody tr")) == 1, "one run of the search job")
    c.screenshot("history")
    c.one("table.runs tbody a").click()
    c.wait(lambda: c.heading() == f"Run #{ours[SEARCH_JOB]['id']}", "the run's page")
    c.wait(lambda: "records" in c.one("pre.log").text, "the run's log lines")
    facts = c.one("dl.run-facts").text
    assert "api:ops" in facts and "succeeded" in facts and s.call(
        "GET", "/api/v1/instances", token).json["instances"][0]["instance"] in facts, facts
    c.assert_clean("a run's page")
    c.screenshot("run")

    c.go("#/instances", "Instances")
    card = c.one("article.instance")
    assert "up" in card.text and "this one" in card.text
    c.assert_clean("the instances view")
    c.screenshot("instances")

    # Signing out ends the session on the server, not only in this browser.
    cookie = c.d.get_cookie("tis_sync_session")
    c.one("#sign-out").click()
    c.wait(lambda: c.heading() == "Sign in", "the sign-in form after signing out")
    old = s.request("GET", "/api/v1/jobs", headers={"Cookie": f"tis_sync_session={cookie['value']}"})
    assert old[0] == 401, old
    c.assert_clean("signing out")
    assert s.stop() == 0


def test_pause_survives_a_reload_and_resumes(signed_in):
    c, s, token = signed_in("operator")
    job = "PostTrainingBodyTrustJob"
    c.cards()
    c.button(job, "pause").send_keys(Keys.ENTER)  # from the keyboard
    c.wait(lambda: c.button(job, "resume"), "the resume button")
    c.d.refresh()
    c.wait(lambda: "paused" in c.cards()[job], "the paused badge after a reload")
    assert "by api:ops" in c.cards()[job]
    assert api_jobs(s, token)[job]["paused"]
    c.screenshot("jobs-paused")
    # The dark scheme follows the system's setting.
    light = c.d.execute_script("return getComputedStyle(document.body).backgroundColor")
    c.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    assert c.d.execute_script("return getComputedStyle(document.body).backgroundColor") != light
    c.screenshot("jobs-dark")
    c.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    # The run dialog opens and closes from the keyboard.
    c.button(job, "run").send_keys(Keys.ENTER)
    c.one("dialog.run-dialog[open]")
    assert c.d.switch_to.active_element.get_attribute("id") == "run-dependents"
    c.d.switch_to.active_element.send_keys(Keys.ESCAPE)
    c.wait(lambda: not c.d.find_elements(By.CSS_SELECTOR, "dialog.run-dialog"), "the dialog to close")
    c.button(job, "resume").click()
    c.wait(lambda: c.button(job, "pause") and "paused" not in c.cards()[job].split("\n")[0], "resumed")
    assert not api_jobs(s, token)[job]["paused"]
    c.assert_clean("pause and resume")
    assert s.stop() == 0


def test_a_viewer_sees_no_control_and_cannot_change(signed_in):
    c, s, viewer = signed_in("viewer", "watcher")
    assert "watcher (viewer)" in c.one("#user").text
    c.cards()
    assert not c.d.find_elements(By.CSS_SELECTOR, "#view button[data-action]")
    for fragment, heading in (("#/dependencies", "What to re-run"), ("#/history", "History"),
                              ("#/instances", "Instances")):
        c.go(fragment, heading)
        assert not c.d.find_elements(By.CSS_SELECTOR, "#view button.danger, #view button[data-action]")
    # The API refuses the viewer's changes anyway, sent from the page itself.
    refused = c.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/api/v1/jobs/PostTrainingBodyTrustJob/runs', {method: 'POST', credentials: 'same-origin',
              headers: {'Content-Type': 'application/json'}, body: '{}'})
          .then((r) => r.json().then((b) => done([r.status, b.error])));""")
    assert refused == [403, "This needs an operator token"]
    assert not s.call("GET", "/api/v1/runs", viewer).json["runs"]
    c.console_errors()  # the refused fetch is logged by the browser, as it should be
    assert s.stop() == 0


def test_markup_in_errors_and_logs_is_shown_as_text(mysql_db, signed_in):
    db = mysql_db
    job = "PostEmployingBodyTrustJob"
    db.execute("INSERT INTO tis_sync_run (job, trigger_kind, host, pid, started_at, finished_at, status, "
               "rows_written, error, started_by, instance) VALUES (%s, 'manual', 'h', 1, UTC_TIMESTAMP(3), "
               "UTC_TIMESTAMP(3), 'failed', 0, %s, %s, %s)", (job, MARKUP, MARKUP[:120], MARKUP[:200]))
    run_id = db.query("SELECT MAX(id) FROM tis_sync_run")[0][0]
    db.execute("INSERT INTO tis_sync_run_log (run_id, seq, logged_at, level, line) VALUES "
               "(%s, 1, UTC_TIMESTAMP(3), 'ERROR', %s)", (run_id, MARKUP))
    c, s, token = signed_in("operator")
    for fragment, heading, where in (("#/jobs", "Jobs", f"#job-{job} .error-text"),
                                     ("#/history", "History", "table.runs td.error-text"),
                                     (f"#/runs/{run_id}", f"Run #{run_id}", "pre.error-text"),
                                     (f"#/runs/{run_id}", f"Run #{run_id}", "pre.log")):
        c.go(fragment, heading)
        c.wait(lambda: MARKUP in c.one(where).text, f"the markup as text in {where}")
        assert not c.d.find_elements(By.CSS_SELECTOR, "#view img, #view script")
        assert c.d.execute_script("return window.pwned === undefined")
        c.assert_clean(fragment)
    c.screenshot("run-with-markup")
    assert not s.call("GET", f"/api/v1/runs?job={job}&status=running", token).json["runs"]
    assert s.stop() == 0


def test_the_session_cookie_and_its_rules(mysql_db, run_tis, serve_factory):
    """Without a browser: the cookie's flags, a cookie change needs JSON,
    the headers of every page, the idle expiry, a revoked token."""
    db = mysql_db
    prepare_db(run_tis, db)
    token = make_token(run_tis, db, "ops", "operator")
    s = serve_factory(db.url, env={**CONSOLE, "TIS_SYNC_HTTP_SESSION_IDLE": "2"})
    for wrong in ("", "ab" * 32, token + "0"):
        a = s.call("POST", "/api/v1/session", body={"token": wrong})
        assert a.status == 401 and "set-cookie" not in a.headers, a
        openapi_check.check("POST", "/api/v1/session", a)
    a = s.call("POST", "/api/v1/session", body={"token": token})
    assert a.status == 200 and a.json["signedIn"] and a.json["role"] == "operator", a
    openapi_check.check("POST", "/api/v1/session", a)
    flags = [f.strip() for f in a.headers["set-cookie"].split(";")]
    session = flags[0]
    assert session.startswith("tis_sync_session=") and len(session) > 60
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(flags) and "Secure" not in flags  # no TLS here
    cookie = {"Cookie": session}
    status, doc = s.request("GET", "/api/v1/session", headers=cookie)
    assert status == 200 and doc["name"] == "ops" and doc["idleSeconds"] == 2
    # A change with the cookie: only as JSON (a cross-site form cannot send it).
    for headers in ({}, {"Content-Type": "application/x-www-form-urlencoded"}, {"Content-Type": "text/plain"}):
        status, doc = s.request("POST", "/api/v1/jobs/PostTrainingBodyTrustJob/pause", body="{}",
                                headers={**cookie, **headers})
        assert status == 415, (headers, status, doc)
    assert not api_jobs(s, token)["PostTrainingBodyTrustJob"]["paused"]
    status, _ = s.request("POST", "/api/v1/jobs/PostTrainingBodyTrustJob/pause", body="{}",
                          headers={**cookie, "Content-Type": "application/json"})
    assert status == 200 and api_jobs(s, token)["PostTrainingBodyTrustJob"]["paused"]
    # The form sign-in answers 303 to the console, never with the token.
    status, headers = raw_headers(s, "POST", "/api/v1/session", f"token={token}",
                                  {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["location"] == "/#/jobs" and "HttpOnly" in headers["set-cookie"]
    status, headers = raw_headers(s, "POST", "/api/v1/session", "token=wrong",
                                  {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["location"] == "/#/signin-refused" and "set-cookie" not in headers
    # Every page has the security headers; the console's files are embedded.
    for path, kind in (("/", "text/html"), ("/console/app.js", "text/javascript"),
                       ("/console/console.css", "text/css"), ("/api/v1/session", "application/json")):
        status, headers = raw_headers(s, "GET", path)
        assert status == 200 and headers["content-type"].startswith(kind), (path, headers)
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and headers["x-content-type-options"] == "nosniff"
    assert raw_headers(s, "GET", "/console/nope.js")[0] == 404
    assert raw_headers(s, "GET", "/console/../README.md")[0] in (401, 404)  # no way out of the embedded files
    # Idle for longer than http.session_idle: the session is gone.
    time.sleep(3)
    status, doc = s.request("GET", "/api/v1/jobs", headers=cookie)
    assert status == 401, doc
    # A revoked token ends its sessions at their next request.
    a = s.call("POST", "/api/v1/session", body={"token": token})
    cookie = {"Cookie": a.headers["set-cookie"].split(";")[0]}
    assert s.request("GET", "/api/v1/jobs", headers=cookie)[0] == 200
    assert run_tis("--db", db.url, "token", "revoke", "ops").returncode == 0
    wait_until(lambda: s.request("GET", "/api/v1/jobs", headers=cookie)[0] == 401, timeout=15,
               what="the revoked token's session to end")
    assert s.stop() == 0
    assert token not in s.log()


def raw_headers(s, method, path, body=None, headers=None):
    import http.client
    con = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    con.request(method, path, body=body, headers=headers or {})
    resp = con.getresponse()
    resp.read()
    con.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}


def test_instances_show_each_serve_and_what_it_runs(mysql_db, run_tis, serve_factory):
    """Two instances on one database: both up, and the one running a job says so."""
    db = mysql_db
    prepare_db(run_tis, db)
    token = make_token(run_tis, db, "ops", "operator")
    slow = {**CONSOLE, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "4000"}
    blue, green = serve_factory(db.url, env=slow), serve_factory(db.url, env=CONSOLE)
    for s in (blue, green):
        s.port
    started = blue.call("POST", "/api/v1/jobs/PostTrainingBodyTrustJob/runs", token, body={})
    assert started.status == 202, started
    run_id = started.json["runs"][0]["id"]

    def both_with_the_run():
        doc = green.call("GET", "/api/v1/instances", token).json["instances"]
        up = [i for i in doc if i["up"]]
        busy = [i for i in up if any(r["id"] == run_id for r in i["running"])]
        return doc if len(up) == 2 and len(busy) == 1 and not busy[0]["this"] else None
    instances = wait_until(both_with_the_run, timeout=20, what="both instances up, blue running the job")
    assert sum(i["this"] for i in instances) == 1
    assert len({i["instance"] for i in instances}) == 2
    assert sorted(i["httpListen"] for i in instances) == sorted(f"127.0.0.1:{s.port}" for s in (blue, green))
    for s in (blue, green):
        assert s.stop() == 0
