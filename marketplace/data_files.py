"""Reading the YAML data files the apps load their reference rows from."""

from pathlib import Path

import yaml


def read_yaml_list(path: Path, *, error: type[Exception]) -> list[dict]:
    """The entries of a YAML file that holds a list; anything else raises ``error``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise error(f"{path.name}: expected a list of entries.")
    return data
