"""`kbtool extract` does not take the output of the article's own code for a message: the commands of a CI workflow
or a compose file (data files that run scripts), shell scripts, JavaScript template literals and shell variables.
And a block of a shell script is never one message as a whole. Through the real CLI on article files in tmp_path;
the articles are how-tos that show their own code printing failures and quote no real error. Last, a message in
prose is taken once, and a status banner under a message is not part of it."""

from __future__ import annotations

from conftest import extracted_signatures as signatures


def test_output_of_a_workflow_run_command_is_the_articles_own_output(tmp_path):
    body = ("Workflow:\n\n```yaml\n      - name: Notify\n        if: failure()\n"
            "        run: echo \"Deployment failed, rolling back the release now\"\n```\n\n"
            "The log then shows:\n\n```\nDeployment failed, rolling back the release now\n```\n")
    assert signatures(tmp_path, body) == []


def test_output_of_a_block_scalar_script_with_a_variable_is_the_articles_own_output(tmp_path):
    body = ("```yaml\n      - name: Notify on failure\n        if: failure()\n        run: |\n"
            "          echo \"Build failed on ${GITHUB_REF_NAME}\"\n          curl -X POST \"$SLACK_WEBHOOK\"\n```\n\n"
            "When an earlier step fails, the log of this step shows:\n\n```\nBuild failed on main\n```\n")
    assert signatures(tmp_path, body) == []


def test_a_message_value_of_a_data_file_is_still_a_message(tmp_path):
    body = ("The API answers:\n\n```json\n{\"status\": 404,\n \"message\": \"Error: the bucket my-data does not exist\"\n}\n```\n\n"
            "and the deploy job prints:\n\n```yaml\nscript:\n  - echo \"uploading to the bucket\"\n```\n")
    assert signatures(tmp_path, body) == ["Error: the bucket my-data does not exist"]


def test_a_shell_script_is_not_one_message_as_a_whole_nor_are_its_lines(tmp_path):
    body = ("Wrap optional commands so that they print a warning and carry on:\n\n```bash\n"
            "warn() { echo \"WARNING: $*\" >&2; }\n"
            "command -v shellcheck >/dev/null || warn \"shellcheck is not installed, skipping lint\"\n```\n")
    assert signatures(tmp_path, body) == []


def test_output_that_a_shell_script_prints_with_positional_parameters_is_its_own_output(tmp_path):
    body = ("```bash\non_error() {\n  echo \"Error: command failed on line $1 with exit code $2\" >&2\n}\n"
            "trap 'on_error $LINENO $?' ERR\n```\n\nIf the copy fails, the script stops and prints:\n\n"
            "```\nError: command failed on line 9 with exit code 1\n```\n")
    assert signatures(tmp_path, body) == []


def test_output_that_a_javascript_template_literal_prints_is_its_own_output(tmp_path):
    body = ("```js\n    } catch (err) {\n      console.warn(`Attempt ${attempt} failed: ${err.message}. Retrying in ${delay} ms`);\n"
            "    }\n```\n\nPoint it at an endpoint that always answers 503 and you will see output like this:\n\n"
            "```\nAttempt 1 failed: Request failed with status 503. Retrying in 200 ms\n"
            "Attempt 2 failed: Request failed with status 503. Retrying in 400 ms\n```\n")
    assert signatures(tmp_path, body) == []


def test_a_warning_pasted_into_a_shell_block_is_still_one_message(tmp_path):
    body = ("If you see the following warning:\n\n```bash\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            "@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\n"
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            "Permissions 0644 for '/home/me/.ssh/id_ed25519' are too open.\n```\n")
    assert len(signatures(tmp_path, body)) == 1


# --- a message taken once, and only its own lines ---------------------------------------------------------------


def test_inline_message_in_a_hard_wrapped_sentence_is_one_message(tmp_path):
    body = ("Instead, `pip install -r requirements.txt` ran for a while and then\n"
            "stopped with `ERROR: Could not find a version that satisfies the requirement torch==1.4.0 (from versions: none)`\n"
            "and a long explanation.\n")
    assert signatures(tmp_path, body) == [
        "ERROR: Could not find a version that satisfies the requirement torch==1.4.0 (from versions: none)"]


def test_a_status_banner_is_not_joined_to_the_long_line_above_it(tmp_path):
    body = ("```\nerror: Provisioning profile \"Shop Distribution\" doesn't include signing certificate \"Apple "
            "Distribution: Example Ltd (ABCDE12345)\" (in target 'Shop' from project 'Shop')\n"
            "** ARCHIVE FAILED **\n```\n")
    found = signatures(tmp_path, body)
    assert found[0].endswith("(in target 'Shop' from project 'Shop')")
    assert not any("ARCHIVE FAILED" in message and "\n" in message for message in found)
