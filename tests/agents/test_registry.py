"""The registry helper every kind of pluggable thing uses (agents/registry.py)."""

from __future__ import annotations

import sys

import pytest

from agents.registry import Registry


def test_register_by_call_and_by_decorator_keeps_the_order() -> None:
    reg: Registry[object] = Registry("thing")
    assert reg.register("b", 2) == 2

    @reg.register("a")
    def a() -> int:
        return 1

    assert reg.names() == ("b", "a")
    assert reg.items() == [("b", 2), ("a", a)]
    assert reg.get("a") is a and reg["b"] == 2
    assert "a" in reg and "c" not in reg and len(reg) == 2 and list(reg) == ["b", "a"]


def test_unknown_name_error_names_it_and_what_is_allowed() -> None:
    reg: Registry[int] = Registry("colour")
    reg.register("red", 1)
    reg.register("blue", 2)
    with pytest.raises(KeyError, match="unknown colour 'green'; allowed: red, blue"):
        reg.get("green")
    custom: Registry[int] = Registry("rule", word="registered", error=ValueError)
    custom.register("x", 1)
    with pytest.raises(ValueError, match="^unknown rule 'y'; registered: x$"):
        custom.get("y")


def test_duplicate_registration_is_refused_and_the_same_one_again_is_not() -> None:
    reg: Registry[object] = Registry("regime")
    reg.register("a", (1, 2))
    reg.register("a", (1, 2))  # equal: the same registration again (a module imported twice)
    with pytest.raises(ValueError, match="regime 'a' is registered twice"):
        reg.register("a", (1, 3))
    by_identity: Registry[object] = Registry("rule", same=lambda old, new: old is new)
    entry = [1]
    by_identity.register("r", entry)
    with pytest.raises(ValueError, match="registered twice"):
        by_identity.register("r", [1])
    assert by_identity.get("r") is entry


def test_order_and_remove() -> None:
    reg: Registry[int] = Registry("n", order=lambda name, value: -value)
    for name, value in (("one", 1), ("three", 3), ("two", 2)):
        reg[name] = value
    assert reg.names() == ("three", "two", "one")
    assert reg.as_dict() == {"three": 3, "two": 2, "one": 1}
    del reg["two"]
    assert reg.names() == ("three", "one")


def test_discovery_imports_each_module_of_the_package_once(tmp_path, monkeypatch) -> None:
    pkg = tmp_path / "regtest_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "from agents.registry import Registry\n"
        "REG = Registry('entry', package=__name__, skip=('helper',), "
        "order=lambda name, entry: name)\n"
    )
    for name in ("beta", "alpha"):
        (pkg / f"{name}.py").write_text(
            f"from regtest_pkg import REG\nREG.register({name!r}, {name!r}.upper())\n"
        )
    (pkg / "_private.py").write_text("raise RuntimeError('never imported')\n")
    (pkg / "helper.py").write_text("raise RuntimeError('skipped')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import regtest_pkg

        reg = regtest_pkg.REG
        assert reg.names() == ("alpha", "beta")
        assert reg.get("beta") == "BETA"
        with pytest.raises(KeyError, match="allowed: alpha, beta"):
            reg.get("gamma")
        assert "regtest_pkg.helper" not in sys.modules
    finally:
        for name in [m for m in sys.modules if m.startswith("regtest_pkg")]:
            del sys.modules[name]


def test_entry_points_register_through_the_same_registry() -> None:
    reg: Registry[object] = Registry("command")
    assert reg.load_entry_points("pausegame.no-such-group") == []
    assert reg.names() == ()
    failures = reg.load_entry_points("pausegame.commands")
    assert failures == []
    assert "app" in reg and "reproduce" in reg
