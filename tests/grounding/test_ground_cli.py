"""`guiagent perceive` and `guiagent ground` (single and --jsonl) through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from guiagent.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture(scope="module")
def header(tmp_path_factory: pytest.TempPathFactory, web_pages: Path) -> Path:
    """The top bar of a real status page: Help, Community, Status (GitHub.com at right)."""
    path = tmp_path_factory.mktemp("img") / "header.png"
    Image.open(web_pages / "githubstatus" / "screenshot.png").crop((0, 0, 700, 80)).save(path)
    return path


@pytest.mark.slow
def test_perceive_json_and_som(header: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    som = tmp_path / "som.png"
    code, out, _ = run_cli(["perceive", str(header), "--json", "--som", str(som)], capsys)
    assert code == 0
    elements = json.loads(out)
    community = next(e for e in elements if e["text"] == "Community")
    x1, y1, x2, y2 = community["box"]
    assert x1 <= 100 <= x2 and y1 <= 36 <= y2
    assert Image.open(som).size == (700, 80)
    code, out, _ = run_cli(["perceive", str(header)], capsys)
    assert code == 0 and any(line.endswith('text "Help"') for line in out.splitlines())


@pytest.mark.slow
def test_ground_prints_the_point_or_the_reason(header: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["ground", str(header), "tap Community"], capsys)
    x, y = (int(v) for v in out.split())
    assert code == 0 and 86 <= x < 169 and 20 <= y < 50
    code, out, err = run_cli(["ground", str(header), "tap the shopping cart", "--json"], capsys)
    answer = json.loads(out)
    assert code == 1 and answer["found"] is False and answer["x"] is None
    assert "shopping cart" in answer["reason"] and answer["candidates"]
    code, out, err = run_cli(["ground", str(header), "tap Zebra"], capsys)
    assert code == 1 and out == "" and err.startswith("not found:")


@pytest.mark.slow
def test_jsonl_keeps_input_order(header: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.png"
    Image.open(header).transpose(Image.Transpose.FLIP_TOP_BOTTOM).save(other)
    batch = tmp_path / "batch.jsonl"
    rows = [{"id": "a", "image": str(header), "instruction": "tap Status"},
            {"id": 2, "image": "other.png", "instruction": "tap nothing-like-this"},
            {"id": "c", "image": str(header), "instruction": 'click "Help"'}]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, out, _ = run_cli(["ground", "--jsonl", str(batch)], capsys)
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [a["id"] for a in answers] == ["a", 2, "c"]
    assert [a["found"] for a in answers] == [True, False, True]
    assert 197 <= answers[0]["x"] < 243 and (answers[1]["x"], answers[1]["y"]) == (-1, -1)
    assert all(isinstance(a["x"], int) and isinstance(a["ms"], float) for a in answers)


def test_jsonl_bad_line_and_missing_image(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "bad.jsonl"
    Image.new("RGB", (40, 30)).save(tmp_path / "x.png")
    batch.write_text('{"id": 1, "image": "x.png", "instruction": "tap OK"}\n{"id": 2, oops\n',
                     encoding="utf-8")
    code, _, err = run_cli(["ground", "--jsonl", str(batch)], capsys)
    assert code == 4 and f"{batch}:2: not valid JSON" in err and "Traceback" not in err
    batch.write_text('{"id": 1, "instruction": "tap OK"}\n', encoding="utf-8")
    code, _, err = run_cli(["ground", "--jsonl", str(batch)], capsys)
    assert code == 4 and f'{batch}:1: each line needs "image"' in err
    batch.write_text('{"id": 1, "image": "nope.png", "instruction": "tap OK"}\n',
                     encoding="utf-8")
    code, _, err = run_cli(["ground", "--jsonl", str(batch)], capsys)
    assert code == 4 and "image not found" in err and ":1:" in err


def test_missing_image_and_usage_errors(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["ground", str(tmp_path / "none.png"), "tap OK"], capsys)
    assert code == 4 and "image not found" in err
    code, _, err = run_cli(["ground", str(tmp_path / "none.png")], capsys)
    assert code == 4 and "usage" in err
    code, _, err = run_cli(["perceive", str(tmp_path / "none.png"), "--som", "x.jpg"], capsys)
    assert code == 4 and "PNG" in err


@pytest.mark.parametrize(("models", "int8"), [("float", False), ("int8", True),
                                              ("auto", True)])  # auto: int8 on a CPU
def test_ocr_models_setting_reaches_the_recognizer(models: str, int8: bool) -> None:
    from guiagent.config import load_settings
    from guiagent.session import TreeFirstPerceiver, grounding_parts

    settings = load_settings(environ={"GUIAGENT_OCR_MODELS": models})
    perceive, _ = grounding_parts(settings=settings)
    assert isinstance(perceive, TreeFirstPerceiver)
    assert perceive.full.ocr is not None and perceive.full.ocr.int8 is int8


def test_unknown_ocr_models_setting_is_one_clear_line(header: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GUIAGENT_OCR_MODELS", "fast")
    code, out, err = run_cli(["perceive", str(header)], capsys)
    assert code != 0 and out == ""
    assert "GUIAGENT_OCR_MODELS = 'fast': input should be 'auto', 'int8' or 'float'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
