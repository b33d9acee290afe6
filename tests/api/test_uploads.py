"""Uploads an attacker or an unlucky user might send: file references outside the upload,
alias bombs, deep nesting, oversized tables and texts; and a large upload must not stall the server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.core.config import Settings
from planner.scenario import scenario_document
from tests.api.support import ApiServer, app_client, bearer, multipart_files, tiny_files
from tests.builders import cohort, company, scenario_dict, tiny_scenario

BILLION_LAUGHS = "\n".join(
    [f'a: &a [{",".join(["lol"] * 9)}]']
    + [f"{b}: &{b} [{','.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")]
) + "\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("uploads")
    settings = Settings(database_url=f"sqlite:///{folder / 'api.sqlite3'}", data_dir=folder / "files",
                        max_cohorts=50, max_companies=50, max_areas=20, max_weeks=60, max_yaml_aliases=20,
                        max_nesting_depth=12, max_name_length=100, max_description_length=1000,
                        rate_limit_per_second=1000, rate_limit_burst=1000)  # the fuzz tests send many requests
    with app_client(settings) as test_client:
        yield test_client


def _scenario_yaml(**changes: Any) -> str:
    document = scenario_document(tiny_scenario())
    document.update(changes)
    return yaml.safe_dump(document, sort_keys=False)


def _problems(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    return " | ".join(p["text"] for p in response.json()["detail"])


def _count(client: Any) -> int:
    return len(client.get("/scenarios", params={"limit": 1000}).json())


@pytest.mark.parametrize("reference", ["/etc/os-release", "../../etc/passwd", "/etc/passwd", "sub/../../x.csv",
                                       "C:\\Windows\\win.ini", "cohorts.csv"])
def test_table_references_stay_inside_the_upload(client: Any, reference: str) -> None:
    """`cohorts: /etc/os-release` or `../../etc/passwd`: 422 naming the field, no byte of the server file."""
    before = _count(client)
    text = _problems(client.post("/scenarios", content=_scenario_yaml(cohorts=reference),
                                 headers={"content-type": "application/yaml"}))
    assert "cohorts" in text
    assert "does not exist" in text or "absolute path" in text or "'..'" in text
    for secret in Path("/etc/os-release").read_text().splitlines()[:3] + ["root:x:0"]:
        assert secret not in text
    assert _count(client) == before


@pytest.mark.parametrize("field_name", ["companies", "area_polygons", "travel.matrix_csv"])
def test_every_file_reference_is_checked(client: Any, field_name: str) -> None:
    document = scenario_document(tiny_scenario())
    if field_name == "travel.matrix_csv":
        document.setdefault("travel", {})["matrix_csv"] = "/etc/passwd"
    else:
        document[field_name] = "/etc/passwd"
    text = _problems(client.post("/scenarios", content=yaml.safe_dump(document),
                                 headers={"content-type": "application/yaml"}))
    assert field_name in text and "absolute path" in text
    assert "root:" not in text


def test_multipart_references_to_uploaded_files_still_work(client: Any, tmp_path: Path) -> None:
    parts = multipart_files(tiny_files(tmp_path / "tiny"))
    response = client.post("/scenarios", files=parts, data={"region": "Uploads-multipart"})
    assert response.status_code == 201, response.text
    # the same scenario, but its cohorts file is not sent: named, not read from anywhere else
    text = _problems(client.post("/scenarios", files=[p for p in parts if p[0] != "cohorts"]))
    assert text == "scenario.yaml, cohorts: table file 'cohorts.csv' does not exist"


def test_alias_bomb_is_refused_fast(client: Any) -> None:
    """The 316-byte billion laughs: 422 naming the alias limit, refused before a single alias is expanded
    (the check's memory stays under 1 MB, where the expanded document would take gigabytes)."""
    assert len(BILLION_LAUGHS.encode()) < 400
    text = _problems(client.post("/scenarios", content=BILLION_LAUGHS, headers={"content-type": "application/yaml"}))
    assert "max_yaml_aliases" in text
    assert _peak_bytes_of_check(BILLION_LAUGHS) < 1_000_000


def test_a_few_aliases_are_fine(client: Any) -> None:
    document = scenario_dict([cohort("c1"), cohort("c2")], [company("b1")])
    text = yaml.safe_dump(document, sort_keys=False).replace(
        "forms:\n  - block:4", "forms: &forms\n  - block:4", 1)
    text = text.replace("forms:\n  - block:4", "forms: *forms")
    assert "*forms" in text
    response = client.post("/scenarios", content=text, headers={"content-type": "application/yaml"},
                           params={"region": "Uploads-aliases"})
    assert response.status_code == 201, response.text


def test_deep_nesting_is_refused(client: Any) -> None:
    deep_yaml = "name: x\ndescription: " + "[" * 40 + "]" * 40 + "\n"
    assert "max_nesting_depth" in _problems(client.post("/scenarios", content=deep_yaml,
                                                        headers={"content-type": "application/yaml"}))
    deep_json = '{"name": "x", "extra": ' + "[" * 40 + "]" * 40 + "}"
    assert "max_nesting_depth" in _problems(client.post("/scenarios", content=deep_json,
                                                        headers={"content-type": "application/json"}))


def test_row_limits_inline_and_in_csv(client: Any, tmp_path: Path) -> None:
    many = [cohort(f"c{i}") for i in range(51)]
    document = scenario_dict(many, [company("b1")])
    text = _problems(client.post("/scenarios", json=document))
    assert "cohorts" in text and "max_cohorts" in text and "51" in text
    # the same limit for a CSV table, counted after reading it
    folder = tmp_path / "csv"
    folder.mkdir()
    from planner.scenario import Scenario, save_scenario

    path = save_scenario(Scenario.model_validate(document), folder / "scenario.yaml", tables_as_csv=True)
    assert "max_cohorts" in _problems(client.post("/scenarios", files=multipart_files(path)))


def test_area_and_week_limits(client: Any) -> None:
    document = scenario_dict([cohort("c1")], [company("b1")])
    document["areas"] = [dict(document["areas"][0], name=f"Area {i}") for i in range(21)]
    assert "max_areas" in _problems(client.post("/scenarios", json=document))
    document = scenario_dict([cohort("c1")], [company("b1")], first="2026-W36", last="2030-W10")
    assert "max_weeks" in _problems(client.post("/scenarios", json=document))


def test_text_limits(client: Any) -> None:
    document = scenario_dict([cohort("c1", programme="P" * 101)], [company("b1")])
    text = _problems(client.post("/scenarios", json=document))
    assert "programme" in text and "max_name_length" in text
    document = scenario_dict([cohort("c1")], [company("b1")], description="d" * 1001)
    text = _problems(client.post("/scenarios", json=document))
    assert "description" in text and "max_description_length" in text


def test_lists_show_a_short_description(client: Any) -> None:
    document = scenario_dict([cohort("c1")], [company("b1")], description=" ".join(["long"] * 190))
    created = client.post("/scenarios", json=document, params={"region": "Uploads-description"})
    assert created.status_code == 201, created.text
    listed = client.get("/scenarios", params={"region": "Uploads-description"}).json()
    assert len(listed[0]["description"]) <= 300 < len(document["description"])
    assert client.get(f"/scenarios/{created.json()['id']}").json()["description"] == document["description"]


def test_health_answers_while_a_maximum_size_upload_is_read(tmp_path: Path) -> None:
    """A large upload is checked off the event loop: /health answers again and again meanwhile."""
    cohorts = [cohort(f"c{i}", students=5) for i in range(6000)]
    document = scenario_dict(cohorts, [company(f"b{i}") for i in range(200)])
    body = yaml.safe_dump(document, sort_keys=False).encode()
    server = ApiServer(f"sqlite:///{tmp_path / 'api.sqlite3'}", tmp_path,
                       MAX_UPLOAD_MB=max(1, len(body) // (1024 * 1024) + 1)).start()
    try:
        result: dict[str, Any] = {}

        def upload() -> None:
            with httpx.Client(base_url=server.url, timeout=300, headers=bearer(server.token)) as http:
                result["response"] = http.post("/scenarios", content=body,
                                               headers={"content-type": "application/yaml"})

        thread = threading.Thread(target=upload)
        thread.start()
        answered_during_upload = 0
        with httpx.Client(base_url=server.url, timeout=10) as http:
            time.sleep(0.5)  # the body is sent; the server is reading it
            while thread.is_alive() and answered_during_upload < 50:
                assert http.get("/health").status_code == 200
                answered_during_upload += thread.is_alive()  # answered before the upload's answer came
                time.sleep(0.2)
        thread.join(300)
        assert result["response"].status_code == 201, result["response"].text[:500]
        # A check on the event loop would hold every /health until the upload's answer: none in between.
        assert answered_during_upload >= 3
    finally:
        server.stop()


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True) | st.text(max_size=30)
    | st.sampled_from(["/etc/passwd", "../x.csv", "2026-W40", "block:4", "*", "&a", "!!python/object:os.system"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(["cohorts", "companies", "areas", "calendar", "travel", "institutions", 0, 1,
                                      "students", "forms", "id", "first_week", "matrix_csv", "name"]),
                     min_size=1, max_size=3),
       value=_VALUES, as_json=st.booleans())
def test_fuzzed_uploads_never_fail_the_server(client: Any, path: list[Any], value: Any, as_json: bool) -> None:
    """A valid scenario with one part replaced by anything: 201 or a 4xx, never a 500; nothing half stored."""
    document: Any = scenario_document(tiny_scenario())
    target = document
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(target, dict) or (isinstance(target, list) and isinstance(path[-1], int) and path[-1] < len(target)):
        target[path[-1]] = value
    before = _count(client)
    if as_json:
        import json

        body, kind = json.dumps(document, default=str).encode(), "application/json"
    else:
        body, kind = yaml.safe_dump(document, allow_unicode=True).encode(), "application/yaml"
    response = client.post("/scenarios", content=body, headers={"content-type": kind},
                           params={"region": "Uploads-fuzz"})
    assert response.status_code in (201, 413, 415, 422), response.text[:500]
    assert "Traceback" not in response.text
    assert _count(client) == before + (response.status_code == 201)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_fuzzed_bytes_never_fail_the_server(client: Any, body: bytes) -> None:
    before = _count(client)
    response = client.post("/scenarios", content=body, headers={"content-type": "application/yaml"})
    assert response.status_code in (413, 415, 422), response.text[:500]
    assert _count(client) == before


# ------------------------------------------------------------------ one parse path


@pytest.mark.parametrize("header", ["%YAML 1.3\n---\n", "%FOO x\n---\n", "%TAG !e! tag:example.com,2000:\n---\n",
                                    "second document"])
def test_directives_and_documents_cannot_switch_the_guard_off(client: Any, header: str) -> None:
    """Whatever libyaml cannot read is refused, never read by another parser that skips the guard."""
    if header == "second document":
        body = _scenario_yaml() + "---\ncohorts: /etc/passwd\n"
    else:
        body = header + _scenario_yaml(cohorts="/etc/passwd")
    text = _problems(client.post("/scenarios", content=body, headers={"content-type": "application/yaml"}))
    assert "root:" not in text and "/bin/" not in text
    assert ("cohorts" in text and "absolute path" in text) or "is not valid YAML/JSON" in text
    assert "<unicode string>" not in text  # the parser's complaint and its line, not its internals


def test_alias_bomb_behind_a_directive_is_refused_fast(client: Any) -> None:
    """A directive libyaml refuses no longer hands a 531,441-value bomb to the pure-Python loader."""
    bomb = "%YAML 1.3\n---\n" + "\n".join(BILLION_LAUGHS.splitlines()[:6]) + "\nname: *f\n"
    response = client.post("/scenarios", content=bomb, headers={"content-type": "application/yaml"})
    assert "is not valid YAML/JSON" in _problems(response)
    assert len(response.content) < 2000
    assert _peak_bytes_of_check(bomb) < 1_000_000  # the 531,441 values were never built


def _peak_bytes_of_check(text: str) -> int:
    """Peak memory (traced Python allocations) of the upload check refusing ``text`` (deterministic: no clock)."""
    import tracemalloc

    from api.core.config import Settings
    from api.upload_checks import check_upload
    from planner.scenario import ScenarioError

    settings = Settings(max_yaml_aliases=20)
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError):
            check_upload(text.encode(), "scenario.yaml", settings)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _csv_upload(tmp_path: Path, encoding: str, rows: int = 0, location: str = "loc-e") -> list[Any]:
    """The tiny scenario as multipart parts, its cohorts.csv in ``encoding`` with a Dutch programme name;
    ``rows`` copies of its first cohort row (at ``location``) when given."""
    path = tiny_files(tmp_path / encoding)
    lines = (path.parent / "cohorts.csv").read_text(encoding="utf-8").replace(
        "Verzorgende IG", "Verzorgende IG – crèche").splitlines()
    if rows:
        header, first = lines[0], lines[1].split(",")
        first[header.split(",").index("location")] = location
        lines = [header] + [",".join([f"c{i}", *first[1:]]) for i in range(rows)]
    (path.parent / "cohorts.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return multipart_files(path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_excel_csv_encodings_go_through_the_same_checks(client: Any, tmp_path: Path, encoding: str) -> None:
    """UTF-8 with a byte order mark and Windows-1252 (Dutch Excel's CSV) are read, counted and limited alike."""
    created = client.post("/scenarios", files=_csv_upload(tmp_path, encoding), data={"region": f"Uploads-{encoding}"})
    assert created.status_code == 201, created.text
    cohorts = client.get(f"/scenarios/{created.json()['id']}").json()["document"]["cohorts"]
    assert cohorts[0]["programme"] == "Verzorgende IG – crèche"
    # 51 rows (limit 50) at a location nobody lists: the row limit answers while the file is read,
    # before any row is built or cross-checked
    text = _problems(client.post("/scenarios", files=_csv_upload(tmp_path / "many", encoding, 51, "nergens")))
    assert text == "cohorts.csv: has more than 50 rows; at most 50 are accepted (limit max_cohorts)"


def test_other_text_encodings_are_refused_clearly(client: Any, tmp_path: Path) -> None:
    parts = _csv_upload(tmp_path, "utf-16")
    assert _problems(client.post("/scenarios", files=parts)) == (
        "cohorts.csv: is UTF-16 or UTF-32 text; save it as UTF-8 (or Windows-1252)")


def test_problems_quote_at_most_a_short_prefix_of_the_input(client: Any, tmp_path: Path) -> None:
    """A long header or cell comes back as its first characters and '…', never whole."""
    path = tiny_files(tmp_path / "long")
    lines = (path.parent / "cohorts.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("students")] = "y" * 3000
    lines = [",".join(header + ["x" * 3000]), ",".join(first + [""]), *[line + "," for line in lines[2:]]]
    (path.parent / "cohorts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    response = client.post("/scenarios", files=multipart_files(path))
    text = _problems(response)
    fields = [p["field"] or "" for p in response.json()["detail"]]
    assert "x" * 40 + "…" in " ".join(fields) and "x" * 61 not in " ".join(fields)
    assert "y" * 40 in text and "y" * 41 not in text
    assert len(response.content) < 3000
