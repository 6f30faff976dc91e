"""The command line: help texts, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.archive.store import Store
from search_cli.main import cli
from tests.conftest import ROOT, cli_env, on_a_terminal, run_cli
from tests.schema_check import check_post, validator

COMMANDS = sorted(set(cli.commands) - {"schedule"})  # schedule's subcommands: test_schedule


def test_the_commands_are_the_documented_ones() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in cli.commands:
        assert f"`blogarchive {command}" in readme, command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_shows_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: blogarchive" in result.output


def _one_line_error(result, code: int) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_search_without_archive_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "none"), "search", "kunden"])
    assert "No archive at" in _one_line_error(result, 1)


def test_show_unknown_post(tmp_path: Path) -> None:
    Store(tmp_path).close()
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path), "show", "https://x.example/a/"])
    assert "No archived post" in _one_line_error(result, 1)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://blog.example/", "Only http and https"),
        ("javascript:alert(1)", "Only http and https"),
        ("http://[::1", "is not a valid URL"),
        ("blog.example:abc", "is not a valid URL"),
        ("http://", "names no host"),
        ("  ", "No blog URL given"),
    ],
)
def test_crawl_refuses_bad_urls(tmp_path: Path, url: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path), "crawl", url])
    assert message in _one_line_error(result, 1)


def test_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--archive", str(tmp_path), "search", "x", "--since", "2010-13"]
    )
    assert result.exit_code == 2
    assert "is not a date" in result.output


def test_parse_file_prints_a_schema_valid_post() -> None:
    page = ROOT / "tests" / "fixtures" / "pages" / "wordpress" / "classic-twentytwentyone.html"
    result = CliRunner().invoke(
        cli, ["parse", str(page), "--url", "https://handwerk.example/2011/08/preise/", "--json"]
    )
    assert result.exit_code == 0, result.output
    post = json.loads(result.stdout)
    assert post["title"] == "Preise richtig kommunizieren"
    post["site"] = "https://handwerk.example/"
    check_post(validator(), post)


def test_parse_missing_file_is_one_line() -> None:
    result = CliRunner().invoke(cli, ["parse", "no-such-file.html"])
    assert "neither a file nor" in _one_line_error(result, 1)


def test_export_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    Store(tmp_path).close()
    target = tmp_path / "no" / "such" / "folder" / "x.jsonl"
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path), "export", "-o", str(target)])
    assert "No such file or directory" in _one_line_error(result, 1)


def test_brackets_in_queries_titles_and_tags_are_printed_as_written(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from crawler.archive.model import Post
    from indexer.writer import update_index

    post = Post(
        url="http://blog.test/update/",
        title="[Update] Preise [bold]neu[/bold]",
        text="Neue Preise ab Oktober für alle Kunden.",
        tags=("[Update]",),
        site="http://blog.test/",
        published=datetime(2010, 10, 27, tzinfo=UTC),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    with Store(tmp_path) as store:
        store.save_post(post)
        update_index(tmp_path, store)
    result = CliRunner().invoke(
        cli, ["--archive", str(tmp_path), "search", "[a TO]", "--facets", "tag"]
    )
    assert result.exit_code == 0, result.output
    assert "1 post matches '[a TO]'" in result.output  # rich took it for a style and dropped it
    assert "[Update] Preise [bold]neu[/bold]" in result.output
    assert "tag: [Update] (1)" in result.output
    stats = CliRunner().invoke(cli, ["--archive", str(tmp_path), "stats"])
    assert "Top tags: [Update] (1)" in stats.output


def test_a_query_starting_with_a_dash_gets_a_hint(tmp_path: Path) -> None:
    Store(tmp_path).close()
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path), "search", "-kunden"])
    line = _one_line_error(result, 2)
    assert "No such option '-k'" in line
    assert "goes after '--' (cli search -- '-kunden')" in line  # the runner's program name
    assert "NOT kunden" in line


def test_export_to_a_dash_is_stdout_and_to_a_file_is_whole_or_nothing(
    crawled_archive: Path, tmp_path: Path
) -> None:
    from crawler.archive.formats import atomic_output

    to_stdout = run_cli(crawled_archive, "export")
    dash = run_cli(crawled_archive, "export", "-o", "-")
    assert dash.returncode == 0, dash.stderr
    assert dash.stdout == to_stdout.stdout != ""
    target = tmp_path / "posts.jsonl"
    target.write_text("before\n")
    refused = run_cli(crawled_archive, "export", "-o", str(target), "--no-clobber")
    assert refused.returncode == 1
    assert f"{target} exists; leave out --no-clobber" in refused.stderr
    assert target.read_text() == "before\n"

    def crash_half_way() -> None:
        with atomic_output(target) as out:
            out.write(b"half a file")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        crash_half_way()
    assert target.read_text() == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["posts.jsonl"]  # no temporary file left
    replaced = run_cli(crawled_archive, "export", "-o", str(target))
    assert replaced.returncode == 0, replaced.stderr
    assert target.read_text() == to_stdout.stdout


@pytest.mark.parametrize("contact", ["call me", "me@localhost", "ftp://example.org/", "<a@b.c>"])
def test_a_contact_that_reaches_nobody_is_refused_in_one_line(tmp_path: Path, contact: str) -> None:
    done = run_cli(tmp_path, "crawl", "http://127.0.0.1:9/", "--contact", contact)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "neither an e-mail address nor an http(s) URL" in lines[0]


@pytest.mark.parametrize("contact", ["archiv@example.org", "https://example.org/kontakt"])
def test_a_contact_address_or_page_is_taken(contact: str) -> None:
    from crawler.sites import is_contact

    assert is_contact(contact)


def test_search_shows_each_hit_id_and_says_when_the_pages_run_out(crawled_archive: Path) -> None:
    shown = run_cli(crawled_archive, "search", "Kunden", "--limit", "1")
    assert shown.returncode == 0, shown.stderr
    hit = json.loads(run_cli(crawled_archive, "search", "Kunden", "--json").stdout)["hits"][0]
    assert hit["id"] in shown.stdout  # so that `blogarchive show ID` can follow
    past = run_cli(crawled_archive, "search", "Kunden", "--page", "99")
    assert past.returncode == 0
    assert "No more results" in past.stdout
    as_json = json.loads(
        run_cli(crawled_archive, "search", "Kunden", "--page", "99", "--json").stdout
    )
    assert as_json["hits"] == []
    assert as_json["total"] > 0


def test_show_finds_a_post_by_its_url_as_a_person_pastes_it(crawled_archive: Path) -> None:
    hit = json.loads(run_cli(crawled_archive, "search", "Sauerteig", "--json").stdout)["hits"][0]
    url = hit["url"]
    assert url.endswith("/")
    other_scheme = url.replace("http://", "https://", 1)
    for pasted in (url, url[:-1], other_scheme, f"{url}?utm_source=newsletter#comments"):
        shown = run_cli(crawled_archive, "show", pasted, "--json")
        assert shown.returncode == 0, (pasted, shown.stderr)
        assert json.loads(shown.stdout)["id"] == hit["id"]


def _on_a_terminal(archive: Path, *args: str, **env: str) -> str:
    """What `blogarchive ARGS` writes to stdout when that is a terminal 60 columns wide."""
    code, out = on_a_terminal(archive, *args, env={"COLUMNS": "60", **env})
    assert code == 0
    return out


def _colours(out: str) -> set[int]:
    """The colour codes (SGR 30–49, 90–107) in terminal output; bold and dim are no colour."""
    import re

    codes = {int(c) for seq in re.findall(r"\x1b\[([0-9;]*)m", out) for c in seq.split(";") if c}
    return {c for c in codes if 30 <= c <= 49 or 90 <= c <= 107}


def test_colour_on_a_terminal_unless_no_color_or_told_and_lines_wrap_there(
    crawled_archive: Path,
) -> None:
    import re

    coloured = _on_a_terminal(crawled_archive, "search", "Kunden")
    assert _colours(coloured)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert max(len(line) for line in plain.splitlines()) <= 60  # wrapped at its width
    assert not _colours(_on_a_terminal(crawled_archive, "search", "Kunden", NO_COLOR="1"))
    never = _on_a_terminal(crawled_archive, "--color", "never", "search", "Kunden")
    assert "\x1b[" not in never
    forced = run_cli(crawled_archive, "--color", "always", "search", "Kunden")
    assert _colours(forced.stdout)
    piped = run_cli(crawled_archive, "search", "Kunden")
    assert "\x1b[" not in piped.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_as_the_readme_sets_it_up(tmp_path: Path, shell: str) -> None:
    script = run_cli(tmp_path, env={**cli_env(), "_BLOGARCHIVE_COMPLETE": f"{shell}_source"})
    assert script.returncode == 0
    assert "_BLOGARCHIVE_COMPLETE" in script.stdout  # the script calls blogarchive back
    words = {"COMP_WORDS": "blogarchive sea", "COMP_CWORD": "1"}
    env = {**cli_env(), "_BLOGARCHIVE_COMPLETE": "bash_complete", **words}
    asked = run_cli(tmp_path, env=env)
    assert "plain,search" in asked.stdout.splitlines()
