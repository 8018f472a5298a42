"""`kbtool extract` on whole articles built to sit at the edges of its rules: how-tos, FAQs, changelogs and tutorials
that mention failures without quoting one (no message may be found), and troubleshooting pages of other tools than the
ones the rules were written on (every message must be found, whole, and nothing else). Each article is written to
tmp_path and read by the real CLI."""

from __future__ import annotations

from pathlib import Path

from conftest import extracted_candidates, extracted_signatures


def signatures(tmp_path: Path, title: str, body: str) -> list[str]:
    return extracted_signatures(tmp_path, body, title)


def candidates(tmp_path: Path, title: str, body: str) -> list[dict]:
    return extracted_candidates(tmp_path, body, title)


# a Go how-to: log lines without a column, strings the page prints or returns, keys of a YAML file
N1_TITLE = 'Writing a small HTTP server in Go'
N1 = """\

This how-to builds a tiny web server with the standard library. Nothing here failed for us, but we show how to
handle the error that `ListenAndServe` returns.

```go
package main

import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	log.SetFlags(log.Lshortfile)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Hello from the server")
	})
	log.Println("listening on :8080")
	if err := http.ListenAndServe(":8080", nil); err != nil {
		log.Fatalf("server stopped: %v", err)
	}
}
```

Run it:

    $ go run main.go
    main.go:14: listening on :8080

Then open `http://localhost:8080` in a browser: the text `Hello from the server` is printed in the page. If you
request `/health`, the string `ok all systems nominal` is returned with status 200.

With the logger flags we set, every line starts with the file and line, such as `main.go:14: listening on :8080`.

## Configuration

The server reads an optional YAML file:

```yaml
server:
  addr: ":8080"
  panic: recover
  fatal error: false
```

Errors are returned, not panicked: the error value is the last return value, and a caller that ignores it will
not notice that the request failed. That way the caller decides what to do.
"""


def test_go_how_to_with_log_lines_printed_strings_and_yaml_keys_has_no_message(tmp_path):
    assert signatures(tmp_path, N1_TITLE, N1) == []


# an FAQ whose question headings have Cause/Reason sub-headings
N2_TITLE = 'Build cache FAQ'
N2 = """\

## Why does the first build take so long?

### Cause

The cache is empty on a fresh checkout, so every target is compiled. Later builds reuse the cached objects.

## Why is the cache not shared between branches?

### Reason

Each branch has its own cache key, derived from the lock file. Switching branches with a different lock file
starts a new cache.

## Can I delete the cache directory?

Yes. The next build will be slower, but nothing will fail. If the build prints a warning about a missing cache,
you can ignore it.

## How do I see cache statistics?

Run `buildtool stats`. It shows hits, misses and the number of entries that were evicted:

```text
cache hits:    1204
cache misses:    87
evicted:         12
```
"""


def test_faq_questions_explained_under_cause_headings_are_not_messages(tmp_path):
    assert signatures(tmp_path, N2_TITLE, N2) == []


# a changelog whose entries mention failures
N3_TITLE = 'Changelog for release 3.2'
N3 = """\

## 3.2.0

### Fixed

- Uploads no longer fail when the file name has spaces.
- The importer reported success even when one row failed to parse; it now exits with status 1.
- A crash when the configuration file was empty (thanks @rdoe).
- `--strict` now fails with a clearer message that names the offending key.
- Timeouts were not retried; the client now retries three times before giving up.

### Changed

- Deprecation warnings are now printed once per process instead of once per call.
- The error page shows the request id, so support can find the log line.
- Log level `warning` was renamed to `warn`; the old name is still accepted.

### Notes for packagers

The test suite needs network access; tests that cannot reach the mirror are skipped, not failed. Build
failures on 32-bit ARM are known and tracked upstream.
"""


def test_changelog_entries_that_mention_failures_are_not_messages(tmp_path):
    assert signatures(tmp_path, N3_TITLE, N3) == []


# a logging tutorial: its own code logs the error it shows
N4_TITLE = 'Logging in Python: a short tutorial'
N4 = """\

The `logging` module lets you report problems at different levels. Here is a function that logs an error when a
connection cannot be made:

```python
import logging

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("db")

def connect(host):
    try:
        return open_connection(host)
    except OSError as exc:
        log.error("Failed to connect to %s: %s", host, exc)
        raise RuntimeError(f"database {host} is unreachable") from exc

print("starting")
connect("db.example.com")
```

When the host is down you should see output similar to the following:

```text
starting
ERROR:db:Failed to connect to db.example.com: timed out
```

Use `log.warning("disk almost full")` for things that are not failures yet, and `log.exception(...)` inside an
`except` block to include the traceback. A common mistake is to call `log.error` with an f-string: the message is
then formatted even when the level is disabled.

To silence this warning about deprecated settings, add the following to your config:

```
[logging]
capture warnings = true
deprecated settings are allowed
```
"""


def test_output_of_the_articles_own_logging_code_is_not_a_message(tmp_path):
    assert signatures(tmp_path, N4_TITLE, N4) == []


# a kubectl how-to: success output, a message that is not an error, info log lines
N5_TITLE = 'Rolling updates with kubectl'
N5 = """\

This page shows how to roll out a new image without downtime.

```console
$ kubectl set image deployment/web web=registry.example.com/web:1.4.2
deployment.apps/web image updated
$ kubectl rollout status deployment/web
Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...
deployment "web" successfully rolled out
```

If a rollout is stuck, `kubectl rollout status` keeps waiting; press Ctrl-C and check the pods. A pod whose readiness
probe fails is not counted as available, so the old replicas keep serving. You can also undo:

```console
$ kubectl rollout undo deployment/web
deployment.apps/web rolled back
```

You should see the message `deployment.apps/web rolled back` when the undo is accepted.

Note that `maxUnavailable: 0` means no old pod is removed before a new one is ready; that is the safest setting
but the rollout takes longer. The controller output looks like this:

```text
I0501 10:00:00.000000       1 deployment_controller.go:583] "Started syncing deployment" deployment="default/web"
I0501 10:00:00.100000       1 deployment_controller.go:585] "Finished syncing deployment" deployment="default/web" duration="2ms"
```
"""


def test_success_output_and_info_log_lines_are_not_messages(tmp_path):
    assert signatures(tmp_path, N5_TITLE, N5) == []


# rustc's diagnostic and cargo's summary
P1_TITLE = 'Rust: missing lifetime specifier when returning a reference'
P1 = """\

I wrote a function that returns the longer of two string slices:

```rust
fn longest(x: &str, y: &str) -> &str {
    if x.len() > y.len() { x } else { y }
}
```

`cargo build` fails with:

```text
error[E0106]: missing lifetime specifier
 --> src/main.rs:1:33
  |
1 | fn longest(x: &str, y: &str) -> &str {
  |               ----     ----     ^ expected named lifetime parameter
  |
  = help: this function's return type contains a borrowed value, but the signature does not say whether it is borrowed from `x` or `y`
help: consider introducing a named lifetime parameter
  |
1 | fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
  |           ++++     ++          ++          ++

For more information about this error, try `rustc --explain E0106`.
error: could not compile `demo` (bin "demo") due to 1 previous error
```

The compiler cannot tell which input the returned reference borrows from, because both parameters are references.
Adding a lifetime parameter `'a` to both inputs and the output fixes it.
"""


def test_rustc_diagnostic_and_cargo_summary_are_found(tmp_path):
    assert signatures(tmp_path, P1_TITLE, P1) == [
        'error[E0106]: missing lifetime specifier',
        'error: could not compile `demo` (bin "demo") due to 1 previous error',
    ]


# a Warning event of kubectl describe and the container's log
P2_TITLE = 'Pod stuck in CrashLoopBackOff after a config change'
P2 = """\

After changing the database URL in the ConfigMap, the API pod never becomes ready:

```console
$ kubectl get pods
NAME                   READY   STATUS             RESTARTS      AGE
api-7c9d8b6f5d-x2lqp   0/1     CrashLoopBackOff   5 (32s ago)   4m
```

The events of the pod show:

```console
$ kubectl describe pod api-7c9d8b6f5d-x2lqp
...
Events:
  Type     Reason     Age                  From     Message
  ----     ------     ----                 ----     -------
  Normal   Pulled     2m (x5 over 4m)      kubelet  Container image "registry.example.com/api:2.1" already present on machine
  Warning  BackOff    10s (x20 over 4m)    kubelet  Back-off restarting failed container api in pod api-7c9d8b6f5d-x2lqp_default(3f1c2d4e-1111-2222-3333-444455556666)
```

And the container's log ends with:

```console
$ kubectl logs api-7c9d8b6f5d-x2lqp --previous
Error: connect ECONNREFUSED 10.96.14.7:5432
```

The new URL pointed at a Service port that the database does not listen on. Fixing the port in the ConfigMap and
restarting the deployment solved it. Increasing the liveness probe's `initialDelaySeconds` did not help, because the
process exits on its own before the probe runs.
"""


def test_kubelet_warning_event_and_container_error_are_found(tmp_path):
    assert signatures(tmp_path, P2_TITLE, P2) == [
        'Back-off restarting failed container api in pod api-7c9d8b6f5d-x2lqp_default(3f1c2d4e-1111-2222-3333-444455556666)',
        'Error: connect ECONNREFUSED 10.96.14.7:5432',
    ]


# Java exceptions with their Caused by
P3_TITLE = 'NullPointerException when reading an optional header'
P3 = """\

Our servlet crashes when a client omits the `X-Request-Id` header:

```
Exception in thread "main" java.lang.NullPointerException: Cannot invoke "String.trim()" because "id" is null
	at com.example.web.RequestIds.normalise(RequestIds.java:27)
	at com.example.web.Filter.doFilter(Filter.java:54)
	at com.example.Main.main(Main.java:12)
```

`getHeader` returns `null` for a missing header, and `normalise` calls `trim()` on it. Check for `null` (or use
`Optional.ofNullable`) before calling methods on the value.

Later, the same code behind Spring failed at startup with:

```
org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'requestFilter': Invocation of init method failed
	at org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.initializeBean(AbstractAutowireCapableBeanFactory.java:1804)
Caused by: java.lang.IllegalStateException: Header name must not be empty
	at com.example.web.Filter.init(Filter.java:31)
	... 24 more
```
"""


def test_java_exceptions_and_their_cause_are_found(tmp_path):
    assert signatures(tmp_path, P3_TITLE, P3) == [
        'java.lang.NullPointerException: Cannot invoke "String.trim()" because "id" is null',
        "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'requestFilter': Invocation of init method failed",
        'java.lang.IllegalStateException: Header name must not be empty',
    ]


# Postgres errors, one with two spaces after its severity
P4_TITLE = 'Postgres: duplicate key and password authentication errors'
P4 = """\

Inserting a user a second time gives:

```
ERROR:  duplicate key value violates unique constraint "users_email_key"
DETAIL:  Key (email)=(ana@example.com) already exists.
```

Use `INSERT ... ON CONFLICT (email) DO NOTHING` if a repeat is expected.

From the application container, connecting fails with

```
psql: error: connection to server at "db" (172.18.0.2), port 5432 failed: FATAL:  password authentication failed for user "app"
```

The password in `POSTGRES_PASSWORD` is only applied when the data directory is initialised; changing it later has
no effect. Setting the password again with `ALTER USER app PASSWORD '...'` fixes it.
"""


def test_postgres_errors_are_found(tmp_path):
    assert signatures(tmp_path, P4_TITLE, P4) == [
        'ERROR: duplicate key value violates unique constraint "users_email_key"',
        'psql: error: connection to server at "db" (172.18.0.2), port 5432 failed: FATAL: password authentication failed for user "app"',
    ]


# webpack errors whose first line names the place
P5_TITLE = 'webpack: Module not found and Module parse failed'
P5 = """\

Running `npx webpack` after adding a stylesheet import prints:

```text
ERROR in ./src/index.js 3:0-22
Module not found: Error: Can't resolve './styles.css' in '/home/ana/app/src'

webpack 5.91.0 compiled with 1 error in 412 ms
```

The file was named `Styles.css`; imports are case-sensitive on Linux. After renaming it the build gets further and
fails with:

```text
ERROR in ./src/styles.css 1:0
Module parse failed: Unexpected token (1:0)
You may need an appropriate loader to handle this file type, currently no loaders are configured to process this file.
```

webpack only understands JavaScript by itself: add `css-loader` and `style-loader` to `module.rules`.
"""


def test_webpack_errors_are_one_message_each_with_their_place(tmp_path):
    assert signatures(tmp_path, P5_TITLE, P5) == [
        "ERROR in ./src/index.js 3:0-22\nModule not found: Error: Can't resolve './styles.css' in '/home/ana/app/src'",
        'ERROR in ./src/styles.css 1:0\nModule parse failed: Unexpected token (1:0)\nYou may need an appropriate loader to handle this file type, currently no loaders are configured to process this file.',
    ]


# Go log lines, question headings, a missing tool that must be installed
Q1_TITLE = 'Probe: go log lines, question headings, optional install'
Q1 = """\

Output of the server with `log.Lshortfile`:

    main.go:14: server is listening on port 8080 with tls disabled
    handlers.go:52: served request for index page in 3ms

## Is the cache shared between branches?

### Cause

Each branch has its own cache key.

## Does the plugin support Windows?

### Reason

It is built for Linux only at the moment.

Console output of the converter:

```
$ convert input.mkv output.mp4
ffmpeg not found on PATH. Please install it and run the command again.
```

Also:

```
WARNING: nvidia-smi not found. Please install it to enable GPU monitoring.
```
"""


def test_log_lines_questions_and_missing_tools(tmp_path):
    assert signatures(tmp_path, Q1_TITLE, Q1) == [
        'ffmpeg not found on PATH. Please install it and run the command again.',
        'WARNING: nvidia-smi not found. Please install it to enable GPU monitoring.',
    ]


# spans that are printed or displayed, a block with info log lines before a reference line, settings to add
Q2_TITLE = 'Probe: printed strings, whole blocks, reference lines'
Q2 = """\

Run the example; the line `Processing finished for all files` is printed when the job is done, and
`All 12 tests passed successfully` is displayed at the end of the run.

When the job fails you will see the following error:

```
Error: job 42 failed
INFO: retrying in 5s
INFO: giving up after 3 attempts
For more details, see https://example.com/jobs/42
```

To turn off this warning, add the following lines to the settings file:

```
notify on every failed build = false
quiet failed uploads = true
```

The error message `x > 0` is shown when you pass a negative size.

The validation error is raised when `len(items) >= max_items` holds.
"""


def test_printed_spans_info_lines_and_settings(tmp_path):
    assert signatures(tmp_path, Q2_TITLE, Q2) == [
        'Error: job 42 failed',
    ]


# blocks introduced as the error that hold other output too; npm 9's error lines
Q3_TITLE = 'Probe: whole block'
Q3 = """\

Installing globally gives the following error:

```
npm error code EACCES
npm error syscall mkdir
npm error path /usr/lib/node_modules/left-pad
npm notice New major version of npm available! 9.8.1 -> 10.5.0
```

Starting the service prints the following error:

```
Error: listen EADDRINUSE: address already in use :::3000
Server shutting down after the listener closed cleanly
```

The deploy shows this warning:

```
WARNING: The requested image's platform (linux/amd64) does not match the detected host platform (linux/arm64/v8)
Pulling fs layer for the image from the registry mirror
Download complete for all the layers of the image
```
"""


def test_introduced_blocks_with_other_output(tmp_path):
    assert signatures(tmp_path, Q3_TITLE, Q3) == [
        'npm error code EACCES\nnpm error syscall mkdir\nnpm error path /usr/lib/node_modules/left-pad',
        'Error: listen EADDRINUSE: address already in use :::3000',
        "WARNING: The requested image's platform (linux/amd64) does not match the detected host platform (linux/arm64/v8)",
    ]


# two unrelated errors, each with its fix
Q4_TITLE = 'Two unrelated errors on one page'
Q4 = """\

The first run stopped with:

```
ModuleNotFoundError: No module named 'yaml'
```

Install PyYAML with `pip install pyyaml` to fix it.

The second run, on another machine, stopped with:

```
OSError: [Errno 28] No space left on device
```

The solution is to free space in /tmp or point TMPDIR at a larger disk.
"""


def test_two_unrelated_errors_on_one_page(tmp_path):
    assert signatures(tmp_path, Q4_TITLE, Q4) == [
        "ModuleNotFoundError: No module named 'yaml'",
        'OSError: [Errno 28] No space left on device',
    ]


def test_each_of_two_unrelated_errors_keeps_its_own_fix(tmp_path):
    first, second = candidates(tmp_path, Q4_TITLE, Q4)
    assert [workaround["action"] for workaround in first["workarounds"]] == [
        "Install PyYAML with `pip install pyyaml` to fix it."]
    assert [workaround["action"] for workaround in second["workarounds"]] == [
        "The solution is to free space in /tmp or point TMPDIR at a larger disk."]


def test_sentence_that_tells_of_no_attempt_is_the_root_cause_and_not_a_dead_end(tmp_path):
    records = {record["signature"].split(":")[0]: record for record in candidates(tmp_path, P4_TITLE, P4)}
    connection = records["psql"]
    assert connection["dead_ends"] == []
    assert connection["root_cause"] == ("The password in `POSTGRES_PASSWORD` is only applied when the data directory is "
                                        "initialised; changing it later has no effect.")
    assert records["ERROR"]["root_cause"] == ""  # the sentence after it introduces the next message
