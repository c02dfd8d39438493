from pathlib import Path

from aiospo_ci.hub.settings import HubSettings


def test_defaults_come_from_the_environment(tmp_path: Path) -> None:
    env = {"HF_ENDPOINT": "http://mirror.example:8080/", "HF_TOKEN": "hf_envtoken", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "HF_HOME": str(tmp_path / "hf")}
    s = HubSettings.from_config({}, tmp_path, offline=None, endpoint=None, env=env)
    assert s.endpoint == "http://mirror.example:8080"
    assert s.token == "hf_envtoken"
    assert s.cache_dir == tmp_path / "xdg" / "aiospo-ci"
    assert s.lockfile == tmp_path / "aiospo.lock"
    assert (s.offline, s.on_error, s.ttl_hours, s.workers, s.lineage_depth) == (False, "fail_closed", 24.0, 8, 3)


def test_explicit_endpoint_wins_and_config_is_read(tmp_path: Path) -> None:
    cfg = {"endpoint": "https://cfg.example", "offline": True, "cache_dir": ".cache/hub", "ttl_hours": 2,
           "timeout": 3, "workers": 2, "lineage_depth": 1, "lockfile": "locks/models.lock", "on_error": "fail_open"}
    s = HubSettings.from_config(cfg, tmp_path, offline=None, endpoint="http://cli.example", env={"HF_ENDPOINT": "http://env.example"})
    assert s.endpoint == "http://cli.example"
    assert s.offline is True
    assert s.cache_dir == tmp_path / ".cache/hub"
    assert s.lockfile == tmp_path / "locks/models.lock"
    assert (s.ttl_hours, s.timeout, s.workers, s.lineage_depth, s.on_error) == (2.0, 3.0, 2, 1, "fail_open")
    # no token anywhere (HF_HOME without a saved one): the configuration's endpoint is used as is
    s = HubSettings.from_config(cfg, tmp_path, offline=False, endpoint=None, env={"HF_HOME": str(tmp_path / "hf")})
    assert s.offline is False and s.endpoint == "https://cfg.example"


def test_cache_dir_env_wins_and_home_default(tmp_path: Path, monkeypatch) -> None:
    s = HubSettings.from_config({"cache_dir": "x"}, tmp_path, offline=None, endpoint=None, env={"AIOSPO_CACHE_DIR": str(tmp_path / "ci")})
    assert s.cache_dir == tmp_path / "ci"
    s = HubSettings.from_config({}, tmp_path, offline=None, endpoint=None, cache_dir=tmp_path / "cli", env={"AIOSPO_CACHE_DIR": "x"})
    assert s.cache_dir == tmp_path / "cli"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    s = HubSettings.from_config({}, tmp_path, offline=None, endpoint=None, env={})
    assert s.cache_dir == tmp_path / "home" / ".cache" / "aiospo-ci"
    assert s.endpoint_url == "https://huggingface.co"


def test_hf_hub_offline_does_not_switch_a_check_offline(tmp_path: Path) -> None:
    """Only --offline or hub.offline do: a stray variable must not make the check trust the lockfile."""
    assert not HubSettings.from_config({}, tmp_path, offline=None, endpoint=None, env={"HF_HUB_OFFLINE": "1"}).offline
    assert HubSettings.from_config({"offline": True}, tmp_path, offline=None, endpoint=None, env={}).offline


def test_token_is_not_in_repr(tmp_path: Path) -> None:
    s = HubSettings.from_config({}, tmp_path, offline=None, endpoint=None, env={"HF_TOKEN": "hf_sekret_value"})
    assert "hf_sekret_value" not in repr(s)


def test_the_configurations_endpoint_gets_no_token_the_workflow_did_not_aim_at_it(tmp_path: Path) -> None:
    import pytest

    from aiospo_ci.errors import ConfigError

    cfg = {"endpoint": "https://mirror.example.org"}
    with pytest.raises(ConfigError, match="hub.endpoint"):
        HubSettings.from_config(cfg, tmp_path, env={"HF_TOKEN": "hf_abcdefgh", "HF_HOME": str(tmp_path)})
    same = HubSettings.from_config(cfg, tmp_path, env={"HF_TOKEN": "hf_abcdefgh", "HF_ENDPOINT": "https://MIRROR.example.org/"})
    assert same.endpoint == "https://mirror.example.org" and same.token == "hf_abcdefgh"
    saved = tmp_path / "hf" / "token"
    saved.parent.mkdir()
    saved.write_text("hf_savedtoken\n")
    with pytest.raises(ConfigError, match="hub.endpoint"):
        HubSettings.from_config(cfg, tmp_path, env={"HF_HOME": str(tmp_path / "hf")})
    assert HubSettings.from_config({}, tmp_path, env={"HF_HOME": str(tmp_path / "hf")}).token == "hf_savedtoken"


def test_paths_from_the_configuration_stay_inside_the_repository(tmp_path: Path) -> None:
    import pytest

    from aiospo_ci.errors import ConfigError

    (tmp_path / "repo").mkdir()
    for cfg, key in (({"lockfile": "../x.lock"}, "hub.lockfile"), ({"cache_dir": "/var/tmp"}, "hub.cache_dir")):
        with pytest.raises(ConfigError, match=key):
            HubSettings.from_config(cfg, tmp_path / "repo", env={"HF_HOME": str(tmp_path)})
