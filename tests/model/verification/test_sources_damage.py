"""A damaged verification sources registry (sources.toml): one clear error, never a silent gap.

Every edit the hostile-user campaign tried (#27) is refused with a ConfigError naming the file and
what is wrong; a regime whose entries are gone is an error, not a run on the default numbers; and
random edits of the text (hypothesis) either load to valid presets or raise that one error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from model.errors import ConfigError
from model.params import resolve
from model.verification import get_regime, regimes
from model.verification import sources as registry_module
from model.verification.sources import load
from tests.model.verification.shared import EDITS, SHIPPED, damaged, use_registry, without

pytestmark = pytest.mark.hardening


@pytest.mark.parametrize("name", list(EDITS))
def test_a_damaged_registry_is_one_error_naming_the_file(tmp_path, name):
    data, words = EDITS[name]
    path = tmp_path / "sources.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as err:
        load(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    for word in words:
        assert word in message, (word, message)


def test_a_missing_registry_is_one_error_naming_the_file(tmp_path):
    path = tmp_path / "sources.toml"
    with pytest.raises(ConfigError, match="cannot read the verification sources registry"):
        load(path)


def test_the_registry_records_its_hash():
    import hashlib

    assert registry_module.registry().sha256 == hashlib.sha256(SHIPPED).hexdigest()
    assert registry_module.file_sha256() == hashlib.sha256(SHIPPED).hexdigest()


@pytest.mark.parametrize(
    ("deleted", "missing"),
    [
        (r"regimes\.onsite_inspections\.[a-z_]+", "p_detect, p_false_alarm, verification_lag"),
        (r"regimes\.onsite_inspections\.coverage", "coverage"),
    ],
)
def test_a_regime_without_its_presets_is_an_error(tmp_path, monkeypatch, deleted, missing):
    path = tmp_path / "sources.toml"
    path.write_bytes(without(deleted))
    use_registry(monkeypatch, path)
    load(path)  # the file itself is valid: the regime's entries are what is missing
    with pytest.raises(ConfigError) as err:
        resolve(verification="onsite_inspections")
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "'onsite_inspections'" in message
    assert f"no entry for {missing}" in message
    # the regimes whose entries are there, and custom, still resolve
    assert resolve(verification="national_means").p_detect == 0.35
    assert resolve().verification == "custom"


def test_a_damaged_registry_does_not_stop_what_uses_no_regime(tmp_path, monkeypatch):
    use_registry(monkeypatch, tmp_path / "missing.toml")
    assert set(regimes()) >= {"custom", "onsite_inspections"}  # registering reads nothing
    assert resolve().p_detect == resolve(verification="custom").p_detect
    with pytest.raises(ConfigError, match="missing.toml: cannot read"):
        dict(get_regime("onsite_inspections").presets)


def _check_loaded(path: Path) -> None:
    """A registry that loads gives every regime valid presets, or one error naming the file."""
    for name, regime in regimes().items():
        try:
            values = regime.presets
        except ConfigError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
            continue
        assert set(regime.cited) <= set(values)
        params = resolve(values, verification=name)  # every preset a valid parameter value
        assert all(params[key] == value for key, value in values.items())


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=damaged())
def test_a_randomly_edited_registry_loads_valid_or_is_one_error(tmp_path, monkeypatch, data):
    path = tmp_path / "sources.toml"
    path.write_bytes(data)
    use_registry(monkeypatch, path)
    try:
        load(path)
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: ") and "\n" not in message, message
        return
    _check_loaded(path)
