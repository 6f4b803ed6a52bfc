"""DESIGN.md's dependency rule inside integrations/: a provider never imports another provider.

import-linter (`.ci/run`) checks the rules between apps; its independence contract cannot name a provider
that does not exist yet, so this test finds the providers itself and keeps checking as Kommo arrives.
"""

import ast
from pathlib import Path

INTEGRATIONS = Path(__file__).resolve().parent.parent / "integrations"
# Top-level folders that are the app's own plumbing, not providers.
NOT_PROVIDERS = {"api", "management", "migrations", "templates", "__pycache__"}


def providers() -> list[str]:
    return sorted(
        path.name
        for path in INTEGRATIONS.iterdir()
        if path.is_dir() and path.name not in NOT_PROVIDERS and (path / "__init__.py").exists()
    )


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_movidesk_is_found_as_a_provider() -> None:
    assert "movidesk" in providers()


def test_no_provider_imports_another_provider() -> None:
    found = providers()
    crossings = []
    for provider in found:
        others = [f"integrations.{other}" for other in found if other != provider]
        for path in (INTEGRATIONS / provider).rglob("*.py"):
            for module in imported_modules(path):
                if any(module == other or module.startswith(f"{other}.") for other in others):
                    crossings.append(f"{path.relative_to(INTEGRATIONS.parent)} imports {module}")
    assert crossings == []
