"""`kbtool extract` on more kinds of message and layout (log forms, whole output blocks, lines that continue a message,
headings and titles that name a message) and on what a candidate says about it (root cause, dead ends, workarounds).

Each layout is shown with messages of other tools than the articles it was first seen in (gRPC, Go, Rust, Java, npm,
pip, apt, nginx, ssh, Kubernetes, Postgres, V8, CUDA …), so the tests show that the rules carry over. One behaviour
per test, through the real CLI on real article files in tmp_path."""

from __future__ import annotations

from conftest import extracted_candidates as candidates
from conftest import extracted_signatures as signatures


# --- log forms ------------------------------------------------------------------------------------------------

def test_glog_line_after_a_pytest_node_id_gives_the_logged_message(tmp_path):
    body = ("```text\ntests/test_rpc.py::test_keepalive E0521 10:11:12.345678901 4242 chttp2_transport.cc:1130] "
            'Received a GOAWAY with error code ENHANCE_YOUR_CALM and debug data equal to "too_many_pings"\n```\n')
    assert signatures(tmp_path, body) == [
        'Received a GOAWAY with error code ENHANCE_YOUR_CALM and debug data equal to "too_many_pings"']


def test_error_log_lines_led_by_module_pid_and_time_give_what_follows_the_function(tmp_path):
    body = ("```text\n[ERROR] HCCL [hccl/comm/hccl_comm.cc:88] InitComm] rank table file /etc/rank.json does not exist\n"
            "[ERROR] RUNTIME(20431,python3):2023-06-01-10:00:00.123.456 [runtime/device.cc:301] OpenDevice] open device 3 "
            "failed, the device is busy\n"
            "[ERROR] GE 2023-06-01 10:00:01.500 [graph/manager.cc:1012] AddGraph] Graph 7 was already added\n```\n")
    assert signatures(tmp_path, body) == ["rank table file /etc/rank.json does not exist",
                                          "open device 3 failed, the device is busy",
                                          "Graph 7 was already added"]


def test_log_line_led_by_a_bracketed_location_is_a_message_only_when_it_states_a_failure(tmp_path):
    body = ("```\n[compiler/session.cc:**] PrintKernels] KERNELS WITHOUT AN IMPLEMENTATION:\n"
            "[compiler/session.cc:**] PrintKernels] KIND: ****, NAME: ****\n"
            "[compiler/session.cc:**] Compile] COMPILE RESULT: failed to select a kernel for node conv1.\n"
            "[server/main.go:42] listen tcp :80: bind: permission denied\n"
            "[server/main.go:43] shutting down the worker pool\n```\n")
    assert signatures(tmp_path, body) == ["COMPILE RESULT: failed to select a kernel for node conv1.",
                                          "listen tcp :80: bind: permission denied"]


def test_a_2000_character_time_stamp_run_is_read_in_linear_time_and_is_not_a_log_prefix(tmp_path):
    # A line like this one took exponential time to reject before; at 2,000 characters that is far longer than any
    # test run, so a regression hangs this test instead of passing it.
    long_line = "[ERROR] " + "00:00:" * 332 + " could not open the device"
    body = ("```\n" + long_line + "\n[ERROR] DEVICE [device/driver.cc:12] Open] could not open the device\n```\n")
    assert len(long_line) > 2000
    assert signatures(tmp_path, body) == ["could not open the device"]


def test_message_ending_with_its_reference_line_is_taken_whole(tmp_path):
    body = ("```text\nTypeError: unsupported operand type(s) for +: 'int' and 'str'\n"
            "Operand types of the add node: Int64, String.\n"
            "For more details, please refer to https://docs.example.org/errors/add-operands\n\n"
            "Inner Message:\n```\n")
    assert signatures(tmp_path, body) == [
        "TypeError: unsupported operand type(s) for +: 'int' and 'str'\n"
        "Operand types of the add node: Int64, String.\n"
        "For more details, please refer to https://docs.example.org/errors/add-operands"]


def test_reference_line_after_log_lines_does_not_join_them_to_the_message(tmp_path):
    body = ("```\nError: deployment web failed\nINFO: rolling back to revision 4\n"
            "For more details, see https://example.com/deployments/web\n```\n")
    assert signatures(tmp_path, body) == ["Error: deployment web failed"]


def test_check_failures_of_several_libraries_are_messages(tmp_path):
    body = ("```\ncudaCheck FAIL file=src/kernels/reduce.cu line=88 error=700 : an illegal memory access was encountered\n"
            "F0521 10:00:00.000000  1234 allocator.cc:71] Check failed: size <= max_size (4096 vs. 1024)\n"
            "[1234:5678:0521/100000.000:FATAL:render_frame.cc(212)] DCHECK failed: frame_ != nullptr.\n```\n")
    assert signatures(tmp_path, body) == [
        "cudaCheck FAIL file=src/kernels/reduce.cu line=88 error=700 : an illegal memory access was encountered",
        "Check failed: size <= max_size (4096 vs. 1024)",
        "DCHECK failed: frame_ != nullptr."]


def test_go_diagnostic_with_line_and_column_is_a_message_and_a_go_log_line_is_not(tmp_path):
    body = ("    $ go build ./...\n    ./handler.go:27:9: cannot use count (variable of type int) as string value in "
            "return statement\n\nWith `log.Lshortfile` the server prints:\n\n"
            "    main.go:31: connected to the database after 2 retries\n")
    assert signatures(tmp_path, body) == [
        "./handler.go:27:9: cannot use count (variable of type int) as string value in return statement"]


def test_go_panic_with_a_plain_value_is_a_message(tmp_path):
    body = "The worker exits with:\n\n\tpanic: 42\n\n\tgoroutine 7 [running]:\n\tmain.worker(0x2a)\n"
    assert signatures(tmp_path, body) == ["panic: 42"]


def test_warning_that_advises_installing_an_optional_helper_is_not_a_message(tmp_path):
    body = ("```\n>>> profiler.report()\nWARNING: `py-spy` not found in system! Install it by `pip install \\\n"
            "py-spy`. Once installed, run the report again for more detailed\nstack information\n"
            "WARNING: psutil not installed. Install it to get memory figures; it is optional.\n"
            "WARNING: the ssl module is not available, HTTPS requests fail.\n```\n")
    assert signatures(tmp_path, body) == ["WARNING: the ssl module is not available, HTTPS requests fail."]


def test_missing_tool_that_must_be_installed_is_a_message(tmp_path):
    body = ("```\n$ make video\nffmpeg not found on PATH. Please install it and run the command again.\n```\n\n"
            "```\nWARNING: nvidia-smi not found. Please install it to enable GPU monitoring.\n```\n")
    assert signatures(tmp_path, body) == ["ffmpeg not found on PATH. Please install it and run the command again.",
                                          "WARNING: nvidia-smi not found. Please install it to enable GPU monitoring."]


def test_warning_event_of_kubectl_describe_gives_its_message(tmp_path):
    body = ("```\nEvents:\n  Type     Reason            Age                From               Message\n"
            "  ----     ------            ----               ----               -------\n"
            "  Normal   Scheduled         2m                 default-scheduler  Successfully assigned default/web-0 to node-1\n"
            "  Warning  FailedScheduling  30s (x3 over 2m)   default-scheduler  0/3 nodes are available: 3 Insufficient memory.\n"
            "  Warning  Unhealthy         5s (x9 over 1m)    kubelet            Readiness probe failed: HTTP probe failed with "
            "statuscode: 503\n```\n")
    assert signatures(tmp_path, body) == ["0/3 nodes are available: 3 Insufficient memory.",
                                          "Readiness probe failed: HTTP probe failed with statuscode: 503"]


def test_postgres_severity_with_two_spaces_is_a_message_without_its_detail_line(tmp_path):
    body = ('```\nERROR:  relation "orders" does not exist\nLINE 1: SELECT * FROM orders;\n'
            "                      ^\n```\n\n```\nERROR:  null value in column \"email\" violates not-null constraint\n"
            "DETAIL:  Failing row contains (7, null).\n```\n")
    assert signatures(tmp_path, body) == ['ERROR: relation "orders" does not exist',
                                          'ERROR: null value in column "email" violates not-null constraint']


def test_webpack_place_line_and_the_message_under_it_are_one_message(tmp_path):
    body = ("```text\nERROR in ./src/app.ts 12:4-31\nModule not found: Error: Can't resolve 'lodash-es' in "
            "'/srv/web/src'\n\nwebpack 5.88.2 compiled with 1 error in 950 ms\n```\n")
    assert signatures(tmp_path, body) == [
        "ERROR in ./src/app.ts 12:4-31\nModule not found: Error: Can't resolve 'lodash-es' in '/srv/web/src'"]


def test_npm_error_lines_of_npm_9_and_later_are_one_message(tmp_path):
    body = ("```\nnpm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found\n"
            "npm notice New minor version of npm available! 10.2.4 -> 10.8.1\n```\n")
    assert signatures(tmp_path, body) == [
        "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found"]


# --- whole output blocks and continuation lines ---------------------------------------------------------------

def test_block_the_prose_introduces_as_the_message_is_one_message_over_its_paragraphs(tmp_path):
    body = ("After the upgrade you may see the following error message:\n\n```\n"
            "THE VIRTUAL MACHINE PLATFORM IS NOT ENABLED ON THIS COMPUTER.\n\n"
            "The Linux kernel of the subsystem could not be started. Turn on\n"
            "the Virtual Machine Platform feature and restart the computer.\n```\n")
    assert signatures(tmp_path, body) == [
        "THE VIRTUAL MACHINE PLATFORM IS NOT ENABLED ON THIS COMPUTER.\n"
        "The Linux kernel of the subsystem could not be started. Turn on\n"
        "the Virtual Machine Platform feature and restart the computer."]


def test_boxed_warning_and_the_lines_under_it_are_one_message(tmp_path):
    body = ("If you're seeing this error:\n\n```\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\nHost key verification failed.\n```\n")
    assert signatures(tmp_path, body) == [
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
        "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
        "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\nHost key verification failed."]


def test_introduced_block_of_progress_lines_and_an_error_gives_only_the_error(tmp_path):
    body = ("Installing it gives the following error:\n\n```\nReading package lists... Done\n"
            "Building dependency tree... Done\nE: Unable to locate package python3.13-venv\n```\n\n"
            "The server reports an error similar to the following:\n\n```text\n"
            "grpc: received message larger than max (5242880 vs. 4194304)\nRESOURCE_EXHAUSTED\nexit status 1\n```\n")
    assert signatures(tmp_path, body) == ["E: Unable to locate package python3.13-venv",
                                          "grpc: received message larger than max (5242880 vs. 4194304)"]


def test_introduced_block_of_an_error_and_other_output_gives_only_the_error(tmp_path):
    body = ("Starting the service prints the following error:\n\n```\n"
            "Error: listen EADDRINUSE: address already in use 0.0.0.0:8443\nServer shutting down after the listener closed\n"
            "```\n\nThe pull shows this warning:\n\n```\n"
            "WARNING: The requested image's platform (linux/arm64) does not match the detected host platform (linux/amd64)\n"
            "Pulling fs layer for the image from the mirror\n```\n")
    assert signatures(tmp_path, body) == [
        "Error: listen EADDRINUSE: address already in use 0.0.0.0:8443",
        "WARNING: The requested image's platform (linux/arm64) does not match the detected host platform (linux/amd64)"]


def test_hard_wrapped_warning_is_taken_whole(tmp_path):
    body = ("the following warning occurs:\n\n```text\nWARNING: Running pip as the 'root' user can result in broken "
            "permissions and conflicting behaviour with the system\npackage manager. It is recommended to use a virtual "
            "environment instead: https://pip.pypa.io/warnings/venv\n```\n")
    assert signatures(tmp_path, body) == [
        "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system\n"
        "package manager. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv"]


def test_block_of_settings_the_reader_is_told_to_add_is_not_a_message(tmp_path):
    body = ("To turn off this warning, add the following lines to the settings file:\n\n```\n"
            "notify on every failed build = false\nquiet failed uploads = true\n```\n")
    assert signatures(tmp_path, body) == []


def test_indented_list_that_explains_a_resolver_error_after_a_blank_line_belongs_to_it(tmp_path):
    body = ("```console\n$ pip install flask==1.0 werkzeug==3.0\nERROR: Cannot install flask==1.0 and werkzeug==3.0 because "
            "these package versions have conflicting dependencies.\n\nThe conflict is caused by:\n"
            "    The user requested werkzeug==3.0\n    flask 1.0 depends on Werkzeug>=0.14,<1.0\n\n"
            "To fix this you could try to:\n1. loosen the range of package versions you've specified\n```\n")
    assert signatures(tmp_path, body) == [
        "ERROR: Cannot install flask==1.0 and werkzeug==3.0 because these package versions have conflicting dependencies.\n"
        "The conflict is caused by:\n    The user requested werkzeug==3.0\n    flask 1.0 depends on Werkzeug>=0.14,<1.0"]


def test_exception_whose_message_starts_on_the_next_line_takes_its_indented_paragraphs(tmp_path):
    body = ("```python\nValueError:\n        Expected a 2D array, got a 1D array instead of the\n"
            "        samples matrix the estimator was fitted on.\n\n"
            "    Reshape your data with array.reshape(-1, 1) if it has\n    a single feature.\n```\n")
    assert signatures(tmp_path, body) == [
        "ValueError:\n        Expected a 2D array, got a 1D array instead of the\n"
        "        samples matrix the estimator was fitted on.\n"
        "    Reshape your data with array.reshape(-1, 1) if it has\n    a single feature."]


def test_table_cell_with_cut_output_gives_the_kept_sentence_and_the_traceback_message(tmp_path):
    body = ("<table>\n<tr>\n  <td>The Gradle build stops with the following error:\n<pre>...<hundreds of lines of tasks>\n"
            "You have not accepted the license agreements of the following SDK\n"
            "components: [Android SDK Build-Tools 33.0.1, Android SDK Platform 33].\n...<more stack trace output>\n"
            '  File "tools/sdk.py", line 88, in accept\n\n'
            '    raise RuntimeError("SDK licences not accepted: run sdkmanager --licenses")\n\n'
            "RuntimeError: SDK licences not accepted: run sdkmanager --licenses</pre>\n  </td>\n</tr>\n</table>\n")
    assert signatures(tmp_path, body) == [
        "You have not accepted the license agreements of the following SDK\n"
        "components: [Android SDK Build-Tools 33.0.1, Android SDK Platform 33].",
        "RuntimeError: SDK licences not accepted: run sdkmanager --licenses"]


def test_sentence_after_output_cut_with_a_bracketed_note_is_the_message(tmp_path):
    body = ("```\n$ ./configure\n... [240 lines omitted]\nThe requested C compiler is not able to link a program against "
            "the system libraries.\n```\n")
    assert signatures(tmp_path, body) == [
        "The requested C compiler is not able to link a program against the system libraries."]


def test_oserror_printed_without_its_class_and_cut_start_of_a_path_are_messages(tmp_path):
    body = ("<table>\n<tr><td><pre>\n  Uninstalling six-1.16.0:\n  Exception:\n  ...\n"
            "  [Errno 13] Permission denied:\n  '/usr/lib/python3/dist-packages/six.py' </pre></td></tr>\n"
            "<tr><td><pre>[...\\onnxruntime\\core\\session\\inference_session.cc] Failed to load model because protobuf "
            "parsing failed</pre></td></tr>\n</table>\n")
    assert signatures(tmp_path, body) == [
        "[Errno 13] Permission denied:\n  '/usr/lib/python3/dist-packages/six.py'",
        "[...\\onnxruntime\\core\\session\\inference_session.cc] Failed to load model because protobuf parsing failed"]


def test_message_keeps_the_backtick_that_closes_a_name_it_quotes(tmp_path):
    body = ("```\nerror[E0599]: no method named `lenght` found for struct `Vec<u8>` in the current scope\n"
            "error: could not compile `demo` (bin \"demo\") due to 1 previous error\n```\n")
    assert signatures(tmp_path, body) == [
        "error[E0599]: no method named `lenght` found for struct `Vec<u8>` in the current scope",
        'error: could not compile `demo` (bin "demo") due to 1 previous error']


def test_source_statements_of_a_block_without_language_are_not_messages(tmp_path):
    body = ('Sentinel errors:\n\n\tvar ErrClosed = errors.New("connection closed")\n\n'
            'In Rust:\n\n\tlet err = anyhow!("config file missing");\n')
    assert signatures(tmp_path, body) == []


def test_keys_of_a_data_file_are_not_messages_but_a_message_value_is(tmp_path):
    body = ("```yaml\nserver:\n  panic: recover\n  fatal error: false\n```\n\n"
            "```yaml\nstatus:\n  reason: CrashLoopBackOff\n  message: 'Error: failed to create containerd task: exec: \"app\": "
            "executable file not found in $PATH'\n```\n")
    assert signatures(tmp_path, body) == [
        'Error: failed to create containerd task: exec: "app": executable file not found in $PATH']


def test_messages_listed_one_a_line_stay_distinct_when_one_starts_with_another(tmp_path):
    body = ("```\nTypeError: Cannot read properties of undefined (reading 'map')\n"
            "TypeError: Cannot read properties of undefined\n```\n")
    assert signatures(tmp_path, body) == ["TypeError: Cannot read properties of undefined (reading 'map')",
                                          "TypeError: Cannot read properties of undefined"]


# --- headings, titles and quotes ------------------------------------------------------------------------------

def test_heading_that_names_a_message_by_its_end_takes_the_line_of_the_block_under_it(tmp_path):
    body = ('### Replication error "connection reset by peer"\n\n```\n'
            "read tcp 10.0.0.5:5432->10.0.0.9:41234: read: connection reset by peer\n```\n\n"
            '### Database error "too many clients already"\n\n```\nFATAL:  sorry, too many clients already\n```\n')
    assert signatures(tmp_path, body) == ["read tcp 10.0.0.5:5432->10.0.0.9:41234: read: connection reset by peer",
                                          "FATAL: sorry, too many clients already"]


def test_title_that_names_a_family_of_errors_is_not_a_message(tmp_path):
    body = "```\nSyntaxError: Unexpected token '<'\nSyntaxError: Unexpected token ')'\n```\n"
    assert signatures(tmp_path, body, title="SyntaxError: Unexpected token X") == [
        "SyntaxError: Unexpected token '<'", "SyntaxError: Unexpected token ')'"]


def test_title_quoting_a_message_stays_when_the_body_quotes_no_other_of_its_kind(tmp_path):
    body = "Any idea?\n\n```\nZeroDivisionError: float division by zero\n```\n"
    assert signatures(tmp_path, body, title="ZeroDivisionError: integer division or modulo by zero") == [
        "ZeroDivisionError: integer division or modulo by zero", "ZeroDivisionError: float division by zero"]


def test_heading_with_the_command_that_gives_the_error_joins_the_output(tmp_path):
    body = ("### error: externally-managed-environment when `pip install requests`\n\n```console\n"
            "$ pip install requests\nerror: externally-managed-environment\n```\n")
    assert signatures(tmp_path, body) == ["error: externally-managed-environment"]


def test_heading_naming_two_errors_does_not_swallow_the_one_named_alone(tmp_path):
    body = ("- **Update failed with error 0x80070005**\n  - Run the troubleshooter as an administrator.\n\n"
            "- **Update failed with error 0x80070005 or error 0x800f0922**\n  - Check the free space of the system partition.\n")
    assert signatures(tmp_path, body) == ["Update failed with error 0x80070005",
                                          "Update failed with error 0x80070005 or error 0x800f0922"]


def test_message_quoted_with_and_without_its_exception_name_is_one_message(tmp_path):
    body = ("## Q: 训练时报错`Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!`"
            "怎么办？\n\n```text\nRuntimeError: Expected all tensors to be on the same device, but found at least two devices, "
            "cuda:0 and cpu!\n```\n")
    assert signatures(tmp_path, body) == [
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"]


def test_quoted_span_that_the_sentence_says_is_reported_or_thrown_is_a_message(tmp_path):
    body = ('**Q: What should I do if "Session limit reached for this account" is reported by the gateway?**\n\n'
            "A: Close the idle sessions.\n")
    assert signatures(tmp_path, body) == ["Session limit reached for this account"]


def test_quoted_span_that_is_only_printed_shown_or_returned_is_not_a_message(tmp_path):
    body = ("Run the example; the line `Processing finished for all files` is printed when the job is done, "
            "`All 12 tests passed successfully` is displayed at the end, and `ok all systems nominal` is returned by "
            "/health. You should see the message `deployment.apps/web rolled back` when the undo is accepted.\n")
    assert signatures(tmp_path, body) == []


def test_names_listed_after_error_colon_are_not_a_message_but_a_failed_condition_is(tmp_path):
    body = ("## Q: Link error: `libfoo.a` and `libbar.a` can not find a valid symbol table, how to locate?\n\n"
            "A: Check the archive.\n\n"
            "## Q: When the batch is packed, the error message `batch_size*seq_len<=max_tokens` is displayed.\n\n"
            "A: The packed batch holds more tokens than the model accepts.\n")
    assert signatures(tmp_path, body) == ["batch_size*seq_len<=max_tokens"]


def test_span_on_the_line_after_its_introducer_is_a_message(tmp_path):
    body = ("If the manifest lists the same port twice the apply will fail with\n"
            '`The Service "web" is invalid: spec.ports[1]: Duplicate value`. This happens because ports must be unique.\n')
    assert signatures(tmp_path, body) == ['The Service "web" is invalid: spec.ports[1]: Duplicate value']


def test_full_message_in_a_heading_wins_over_a_short_mention_in_the_answer(tmp_path):
    body = ("## Q: 出现报错: `Device memory exhausted!!! requested[8589934592] free[2147483648] failed!` 如何解决？\n\n"
            "A: 批量太大时容易造成`Device memory exhausted`。\n")
    assert signatures(tmp_path, body) == ["Device memory exhausted!!! requested[8589934592] free[2147483648] failed!"]


def test_dialog_question_explained_under_a_reason_heading_is_a_message(tmp_path):
    body = "## Update failed, do you want to retry?\n### Reason:\nThe download server could not be reached.\n"
    assert signatures(tmp_path, body) == ["Update failed, do you want to retry?"]


def test_question_of_a_faq_explained_under_a_cause_heading_is_not_a_message(tmp_path):
    body = ("## Is the cache shared between branches?\n\n### Cause\n\nEach branch has its own cache key.\n\n"
            "## Does the plugin support Windows?\n\n### Reason\n\nIt is built for Linux only.\n")
    assert signatures(tmp_path, body) == []


# --- what a candidate says -------------------------------------------------------------------------------------

def test_dead_end_is_the_fix_that_was_tried_with_the_articles_reason(tmp_path):
    body = ("The service dies with:\n\n```\njava.lang.OutOfMemoryError: Java heap space\n```\n\n"
            "My first idea was to switch to the G1 collector. That did not help. "
            "The collector cannot free objects that a cache still references.\n")
    [record] = candidates(tmp_path, body)
    [dead_end] = record["dead_ends"]
    assert dead_end["action"] == "switch to the G1 collector"
    assert dead_end["why_fails"] == "The collector cannot free objects that a cache still references."


def test_statement_that_a_product_does_not_work_somewhere_is_not_a_dead_end(tmp_path):
    body = ("```\nError response from daemon: no matching manifest for linux/arm/v7 in the manifest list entries\n```\n\n"
            "The image doesn't work on 32-bit ARM boards. Please use a 64-bit operating system.\n")
    [record] = candidates(tmp_path, body)
    assert record["dead_ends"] == []


def test_sentence_that_tells_of_no_attempt_is_weighed_as_a_cause(tmp_path):
    body = ("```\nFATAL:  password authentication failed for user \"app\"\n```\n\n"
            "The password in the environment is only applied when the data directory is created; changing it later has no "
            "effect.\n")
    [record] = candidates(tmp_path, body)
    assert record["dead_ends"] == []
    assert record["root_cause"] == ("The password in the environment is only applied when the data directory is created; "
                                    "changing it later has no effect.")


def test_workaround_after_a_code_block_between_the_error_and_the_answer_is_found(tmp_path):
    body = ("```\nTypeError: Cannot read properties of undefined (reading 'map')\n```\n\n"
            "Here is my component:\n\n```js\nconst List = ({ items }) => items.map(render);\n```\n\n"
            "The solution is to give items a default value of an empty array.\n")
    [record] = candidates(tmp_path, body)
    assert [workaround["action"] for workaround in record["workarounds"]] == [
        "The solution is to give items a default value of an empty array."]
    assert record["root_cause"] == ""  # the answer after the asker's code states a fix, not a cause


def test_explanation_stops_at_a_block_that_holds_another_message(tmp_path):
    body = ("The first run stopped with:\n\n```\nModuleNotFoundError: No module named 'toml'\n```\n\n"
            "Install it with `pip install toml` to fix it.\n\nThe second run, on another machine, stopped with:\n\n"
            "```\nOSError: [Errno 28] No space left on device\n```\n\n"
            "The solution is to free space in /tmp or point TMPDIR at a larger disk.\n")
    first, second = candidates(tmp_path, body)
    assert [workaround["action"] for workaround in first["workarounds"]] == ["Install it with `pip install toml` to fix it."]
    assert [workaround["action"] for workaround in second["workarounds"]] == [
        "The solution is to free space in /tmp or point TMPDIR at a larger disk."]
    assert first["root_cause"] == ""


def test_instruction_to_the_reader_is_not_a_root_cause(tmp_path):
    body = ("```\nnpm error code ETIMEDOUT\nnpm error network request to https://registry.npmjs.org/react failed\n```\n\n"
            "If you're on a corporate network and you see this error, look at the proxy settings of your shell.\n")
    [record] = candidates(tmp_path, body)
    assert record["root_cause"] == ""


def test_prose_that_introduces_the_next_output_does_not_explain_this_message(tmp_path):
    body = ("```text\nclient intended to send too large body: 12582912 bytes\n```\n\n"
            "The proxy also limits the size of response headers. If they are larger, nginx reports an error similar to "
            "the following:\n\n```text\nupstream sent too big header while reading response header from upstream\n```\n")
    records = candidates(tmp_path, body)
    assert records[0]["signature"].startswith("client intended") and records[0]["root_cause"] == ""


def test_a_bracketed_severity_that_states_a_failure_is_a_message(tmp_path):
    body = ("```\n[INFO] BUILD FAILURE\n"
            "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.0.0:test (default-test) on "
            "project billing: There are test failures. -> [Help 1]\n"
            "[ERROR] \n[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.\n"
            "[ERROR] -> [Help 1]\n```\n")
    assert signatures(tmp_path, body) == [
        "Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.0.0:test (default-test) on project "
        "billing: There are test failures. -> [Help 1]"]
