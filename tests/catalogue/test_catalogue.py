"""The qualification catalogue: built from DUO's open data, families and company kinds per crebo."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from planner.catalogue import families, family_crebos, qualifications, recognised_crebos

ROOT = Path(__file__).resolve().parents[2]


def test_catalogue_holds_the_duo_qualifications_with_levels_sector_and_family():
    catalogue = qualifications()
    assert len(catalogue) == 1354  # 1,360 codes less six domain registrations
    helpende = catalogue["25498"]
    assert (helpende.levels, helpende.sector, helpende.family) == (("2",), "zorg", "verpleging")
    assert catalogue["25251"].levels == ("entree",) and catalogue["25251"].sector == "entree"
    assert sum(len(q.levels) > 1 for q in catalogue.values()) >= 20  # crebos taught at two levels
    assert all(q.family in families() for q in catalogue.values())
    assert all(family.kinds and family_crebos(family.id) for family in families().values())


def test_a_family_stands_for_all_its_crebos_and_a_crebo_for_itself():
    animals = family_crebos("dierverzorging")
    assert {"25446", "25447"} <= animals
    assert "25498" not in animals
    assert recognised_crebos(("dierverzorging", "25498")) == animals | {"25498"}
    assert recognised_crebos(("99999",)) == {"99999"}


def test_the_shipped_catalogue_is_what_the_script_builds(tmp_path):
    spec = importlib.util.spec_from_file_location("build_catalogue", ROOT / "scripts" / "build_catalogue.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    if not script.DEFAULT_SOURCE.is_file():
        pytest.skip("DUO's file (shared/data/duo-mbo) is not beside the checkout")
    out = tmp_path / "qualifications.csv"
    assert script.build(script.DEFAULT_SOURCE, out) == 1354
    assert out.read_text(encoding="utf-8") == (ROOT / "planner" / "catalogue" / "qualifications.csv").read_text(
        encoding="utf-8")
