"""What week 4's job script does, read from its source: the names it uses and how it imports ``awsglue``.

The same script must run on Glue and on EMR Serverless, where there is no ``awsglue`` package:
an import of it is safe only inside a ``try`` whose handler catches ``ImportError``.
"""

from __future__ import annotations

import ast


def used_names(tree: ast.AST) -> set[str]:
    """Names the script uses or imports (``F.col`` counts as ``col``)."""
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            used.update(alias.name for alias in node.names)
    return used


_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is None or any(isinstance(name, ast.Name) and name.id in _IMPORT_ERRORS for name in caught)


def unguarded_awsglue_imports(node: ast.AST, guarded: bool = False) -> list[int]:
    """Lines that import ``awsglue`` outside a ``try`` whose handler catches ImportError: EMR has no awsglue."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        return [] if guarded or not any(m.split(".")[0] == "awsglue" for m in modules) else [node.lineno]
    if isinstance(node, ast.Try):
        body_guarded = guarded or any(_catches_import_error(handler) for handler in node.handlers)
        lines = [line for child in node.body for line in unguarded_awsglue_imports(child, body_guarded)]
        rest = [*node.handlers, *node.orelse, *node.finalbody]
        return lines + [line for child in rest for line in unguarded_awsglue_imports(child, guarded)]
    return [line for child in ast.iter_child_nodes(node) for line in unguarded_awsglue_imports(child, guarded)]
